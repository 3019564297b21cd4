// Types for the part of the `jstat` npm package (1.9.x, plain JavaScript) we call: Student's t
// quantile. Only what we use is declared, so a change there shows up here.
declare module 'jstat' {
  const jstat: {
    studentt: {
      /** The quantile of Student's t distribution with `dof` degrees of freedom at probability `p`. */
      inv(p: number, dof: number): number;
    };
  };
  export default jstat;
}
