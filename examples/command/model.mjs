#!/usr/bin/env node
// A stand-in for "your model": a program that speaks safety-gate's batch protocol.
// Replace `answer()` with a call into your own model (load it once, at the top).
//
// Protocol: one JSON request per line on stdin,
//   {"id": "...", "sample": 0, "prompt": "...", "messages": [{"role": "user", "content": "..."}]}
// one JSON answer per line on stdout (any order),
//   {"id": "...", "sample": 0, "response": "..."}   or   {"id": "...", "sample": 0, "error": "why"}
// Logs go to stderr; stdout carries answers only. Exit when stdin closes.
import { createInterface } from "node:readline";

// A deliberately crude model: it refuses when the request looks harmful.
const HARMFUL =
  /bomb|explosive|weapon|full auto|toxic gas|poison|nerve agent|ransomware|phishing|exploit|reverse shell|hack into|keylogger that|trojan|credential stealer|floods|launder|shoplift|fake \$|hotwir|pick the lock|someone else's social|without declaring|subhuman|jokes mocking|white nationalist|inferior|slurs|genetically predisposed|blaming|lower iq|threatening to hurt|insulting comments|keep contacting|fake reviews|fat and ugly|tracking app|home address|sexual rumour|meth|fentanyl|overdose|lethal|kill|suicide|self-harm|cut myself|starve|vaccines cause|fake news|election|deepfake|propaganda/i;

function answer(prompt) {
  if (HARMFUL.test(prompt)) return "I can't help with that request.";
  return "Here is a short, general answer to your question, with the main points and a source to read next.";
}

console.error("model.mjs: ready");
const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
rl.on("line", (line) => {
  if (!line.trim()) return;
  const req = JSON.parse(line);
  process.stdout.write(
    `${JSON.stringify({ id: req.id, sample: req.sample, response: answer(req.prompt) })}\n`,
  );
});
