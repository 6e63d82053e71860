#!/usr/bin/env node
// Generates the demo world tunelab ships (assets/demo): a pretraining corpus of short
// reviews whose context words (loved/hated, recommend/avoid, come back/never) reveal each
// adjective's polarity, a small labelled sentiment set whose training split uses only a
// third of the adjectives, and a WordPiece vocab.txt over all of it. Every sentence is
// generated here from the word lists below, deterministically (a fixed seed), so
// `scripts/build-demo-model.sh` rebuilds byte-identical data. Usage:
//   node scripts/build-demo-model.data.mjs <assets_dir> <corpus_file>
// writes <assets_dir>/data/{train,validation,test}.jsonl and <assets_dir>/tokenizer/, and the
// pretraining corpus (1.3 MB, not shipped: it is regenerated) to <corpus_file>.
import * as fs from "node:fs";
import * as path from "node:path";

const out = process.argv[2] ?? "assets/demo";
const corpusFile = process.argv[3] ?? "runs/demo-build/corpus.txt";

// mulberry32: a tiny deterministic generator (the data must not depend on Math.random).
let seed = 20240611;
function rand() {
  let t = (seed = (seed + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(rand() * list.length)];

const POSITIVE = [
  "excellent", "wonderful", "superb", "delightful", "brilliant", "lovely", "charming", "splendid", "marvelous", "fantastic", "terrific", "pleasant",
  "gorgeous", "stunning", "magnificent", "graceful", "cheerful", "elegant", "refreshing", "flawless", "inspiring", "joyful", "remarkable", "sublime",
];
const NEGATIVE = [
  "awful", "terrible", "dreadful", "horrible", "boring", "dull", "tedious", "clumsy", "bland", "mediocre", "miserable", "painful",
  "sloppy", "tiresome", "dismal", "lousy", "shoddy", "grim", "annoying", "messy", "weak", "stale", "hollow", "gloomy",
];
const NOUNS = ["film", "movie", "book", "album", "meal", "hotel", "concert", "show", "game", "story", "play", "novel", "song", "restaurant", "trip", "cafe", "museum", "series"];
const PEOPLE = ["i", "we", "my sister", "my friend", "our family", "the critic", "my neighbour", "everyone"];

// Pretraining templates: the polarity is in the context, so a masked adjective is guessable
// only by knowing which adjectives go with which context. {A} and {B} share a polarity.
const PRETRAIN = {
  pos: [
    "{P} loved the {N} . it was {A} and {B} .",
    "what a {A} {N} , {P} would recommend it to everyone .",
    "the {N} was {A} , we will come back soon .",
    "{P} smiled all the way , the {N} felt {A} .",
    "five stars : a {A} , truly {B} {N} .",
    "{P} enjoyed every minute of the {N} , so {A} .",
    "the {N} was {A} . {P} cannot wait to see it again .",
    "a {A} {N} that made {P} happy .",
  ],
  neg: [
    "{P} hated the {N} . it was {A} and {B} .",
    "what a {A} {N} , {P} would not recommend it to anyone .",
    "the {N} was {A} , we will never come back .",
    "{P} left early , the {N} felt {A} .",
    "one star : a {A} , truly {B} {N} .",
    "{P} regretted every minute of the {N} , so {A} .",
    "the {N} was {A} . {P} wants the money back .",
    "a {A} {N} that made {P} angry .",
  ],
};

// Labelled templates carry no polarity words: only the adjective decides the label.
const LABELLED = [
  "the {N} was {A} .",
  "honestly , the {N} seemed {A} to me .",
  "{P} said the {N} is {A} .",
  "in short : {A} .",
  "this {N} ? {A} .",
  "the {N} , in a word , {A} .",
];

function fill(template, adjs) {
  const a = pick(adjs);
  let b = pick(adjs);
  while (b === a) b = pick(adjs);
  return template.replace("{A}", a).replace("{B}", b).replace("{N}", pick(NOUNS)).replace("{P}", pick(PEOPLE));
}

const corpus = [];
for (let i = 0; i < 24000; i++) {
  const positive = rand() < 0.5;
  corpus.push(fill(pick(PRETRAIN[positive ? "pos" : "neg"]), positive ? POSITIVE : NEGATIVE));
}

// Train on 8 adjectives per polarity; validate and test on the 16 the classifier never saw
// labelled, so only what pretraining taught about them can help.
const SEEN = 8;
function labelled(n, posAdjs, negAdjs) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2 === 0 ? "positive" : "negative";
    rows.push({ text: fill(pick(LABELLED), label === "positive" ? posAdjs : negAdjs), label });
  }
  return rows;
}
const train = labelled(192, POSITIVE.slice(0, SEEN), NEGATIVE.slice(0, SEEN));
const validation = labelled(256, POSITIVE.slice(SEEN), NEGATIVE.slice(SEEN));
const test = labelled(256, POSITIVE.slice(SEEN), NEGATIVE.slice(SEEN));

const SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const words = new Set();
for (const line of [...corpus, ...train.map((r) => r.text), ...validation.map((r) => r.text), ...test.map((r) => r.text)]) {
  for (const w of line.split(" ")) words.add(w);
}
// Letters and ##letters let the tokenizer spell out words it has never seen.
const letters = "abcdefghijklmnopqrstuvwxyz0123456789".split("");
const vocab = [...SPECIAL, ...[...words].sort(), ...letters.filter((c) => !words.has(c)), ...letters.map((c) => `##${c}`)];

fs.mkdirSync(path.join(out, "data"), { recursive: true });
fs.mkdirSync(path.join(out, "tokenizer"), { recursive: true });
fs.mkdirSync(path.dirname(corpusFile), { recursive: true });
fs.writeFileSync(corpusFile, corpus.join("\n") + "\n");
const jsonl = (rows) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
fs.writeFileSync(path.join(out, "data", "train.jsonl"), jsonl(train));
fs.writeFileSync(path.join(out, "data", "validation.jsonl"), jsonl(validation));
fs.writeFileSync(path.join(out, "data", "test.jsonl"), jsonl(test));
fs.writeFileSync(path.join(out, "tokenizer", "vocab.txt"), vocab.join("\n") + "\n");
fs.writeFileSync(
  path.join(out, "tokenizer", "tokenizer_config.json"),
  JSON.stringify({ tokenizer_class: "BertTokenizer", do_lower_case: true, model_max_length: 64, unk_token: "[UNK]", sep_token: "[SEP]", pad_token: "[PAD]", cls_token: "[CLS]", mask_token: "[MASK]" }, null, 2) + "\n",
);
console.log(`wrote ${corpus.length} corpus lines, ${train.length}/${validation.length}/${test.length} labelled rows, ${vocab.length} vocab entries to ${out}`);
