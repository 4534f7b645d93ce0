// Types of web/secrets.js, for the tests that run it under Node (the browser loads the .js as is).
export const MASK: string;
export function maskSecrets(line: string): { shown: string; kept: string };
