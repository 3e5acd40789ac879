// The engine compiles without the DOM lib; these two WHATWG encoding classes exist in
// every runtime it runs in (Node, workers, pages).
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
