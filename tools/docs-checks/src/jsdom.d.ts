// The one part of jsdom the docs check uses. Not @types/jsdom: vitest's type declarations import
// `jsdom` when its types are installed, which brings the DOM library into every project's typecheck
// and changes the types of fetch there.
declare module 'jsdom' {
  export class JSDOM {
    constructor(html?: string);
    readonly window: { readonly document: object };
  }
}
