/**
 * Markdown as the docs tests read it: the contents of fenced blocks without a language tag
 * (shown output, not commands).
 */
export function plainBlocks(text: string): string[] {
  const blocks: string[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith("```")) open?.lines.push(line);
    else if (open === undefined) open = { lang: line.slice(3).trim(), lines: [] };
    else {
      if (open.lang === "") blocks.push(open.lines.join("\n"));
      open = undefined;
    }
  }
  return blocks;
}
