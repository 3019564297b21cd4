// A kubeconfig for commands that must read one but reach no cluster in the test (their API calls,
// if any, are refused at once by the closed port 1).
export const UNREACHABLE_CLUSTER_KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: test, cluster: { server: 'https://127.0.0.1:1' } }]
users: [{ name: test, user: { token: not-used } }]
contexts: [{ name: test, context: { cluster: test, user: test } }]
current-context: test
`;
