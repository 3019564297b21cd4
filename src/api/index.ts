// The API part's public face: the current version's types, parsers and helpers.
export * from './v1alpha1/index.ts';
