import { createInterface } from 'node:readline/promises';

/**
 * In a terminal, asks for the options a generator needs that nx could not prompt for (nx's prompts
 * cannot depend on another option's answer); elsewhere returns no answer, and the generator's plan
 * names what is missing.
 */
export async function askInTerminal(
  questions: readonly { readonly option: string; readonly question: string }[],
): Promise<Record<string, string>> {
  if (questions.length === 0 || process.env.NX_INTERACTIVE !== 'true' || !process.stdin.isTTY) return {};
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answers: Record<string, string> = {};
    for (const { option, question } of questions)
      answers[option] = (await terminal.question(`? ${question} `)).trim();
    return answers;
  } finally {
    terminal.close();
  }
}
