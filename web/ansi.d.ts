// Types of web/ansi.js, for the tests that run it under Node (the browser loads the .js as is).
export type Colour = number | string | null;
export interface Style {
  fg: Colour;
  bg: Colour;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
}
export interface Run {
  text: string;
  style: Style;
}
export function defaultStyle(): Style;
export function isDefaultStyle(style: Style): boolean;
export function paletteColour(n: number): string;
export class AnsiParser {
  style: Style;
  pending: string;
  feed(chunk: string): Run[];
  apply(params: string): void;
}
