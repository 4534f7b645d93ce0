// Types of web/links.js, for the tests that run it under Node (the browser loads the .js as is).
export interface Piece {
  text: string;
  href?: string;
}
export function splitLinks(text: string): Piece[];
export function safeHref(address: string): string | null;
