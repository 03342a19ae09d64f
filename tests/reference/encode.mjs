// Encodes strings with Hugging Face's tokenizers.js, the reference for PoFT's tokenizer tests.
// Usage: node encode.mjs <directory with tokenizer.json and tokenizer_config.json> <strings.json>
// strings.json holds a JSON array of strings; stdout gets a JSON array of id arrays, one per string,
// encoded without the post-processor's special tokens (PoFT's templates write BOS themselves).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";

const [directory, stringsFile] = process.argv.slice(2);
if (!directory || !stringsFile) {
  console.error("usage: node encode.mjs <tokenizer directory> <strings.json>");
  process.exit(2);
}
const read = (name) => JSON.parse(readFileSync(join(directory, name), "utf8"));
const tokenizer = new Tokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
const strings = JSON.parse(readFileSync(stringsFile, "utf8"));
const ids = strings.map((text) => tokenizer.encode(text, { add_special_tokens: false }).ids);
process.stdout.write(JSON.stringify(ids));
