// Encodes strings with Hugging Face's tokenizers.js, the reference for PoFT's tokenizer tests.
// Usage: node encode.mjs <directory with tokenizer.json and tokenizer_config.json> <strings.json>
// strings.json holds a JSON array of strings; stdout gets a JSON array with, per string, its ids, encoded
// without the post-processor's special tokens (PoFT's templates write BOS themselves), and the text those
// ids decode to, special tokens kept and spaces not cleaned up.
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
const results = strings.map((text) => {
  const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
  // tokenizers.js refuses to decode no ids.
  const decoded = ids.length === 0 ? "" : tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  return { ids, decoded };
});
process.stdout.write(JSON.stringify(results));
