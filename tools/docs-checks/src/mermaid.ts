import { JSDOM } from 'jsdom';

/**
 * Parses Mermaid diagrams offline with Mermaid's own parsers (the `mermaid` package, no browser).
 * Mermaid sanitizes labels with DOMPurify, which needs a `window` when the module loads, so a
 * jsdom window is installed first. @mermaid-js/parser alone covers only the newer diagram types,
 * not flowcharts, sequence or state diagrams.
 */
let loaded: Promise<{ parse(text: string): Promise<unknown> }> | undefined;

function loadMermaid() {
  loaded ??= (async () => {
    const { window } = new JSDOM('');
    Object.assign(globalThis, { window, document: window.document });
    return (await import('mermaid')).default;
  })();
  return loaded;
}

/** Undefined when the diagram parses, else Mermaid's error with the diagram's line number. */
export async function mermaidError(diagram: string): Promise<string | undefined> {
  const mermaid = await loadMermaid();
  try {
    await mermaid.parse(diagram);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
