/**
 * Dataset: an in-memory table of rows with Hugging Face `datasets`' verbs (map, filter,
 * shuffle, select, train_test_split, rename/remove columns), camelCased. Every verb returns
 * a new Dataset; rows keep their source (file and line) so later stages can report bad rows.
 */
import { SeededRandom } from "../tensor/random.js";
export class Dataset {
    rows;
    sources;
    constructor(rows, sources) {
        this.rows = rows;
        this.sources = sources ?? new Array(rows.length).fill(undefined);
    }
    static fromList(rows) {
        return new Dataset(rows.map((r) => ({ ...r })));
    }
    /** From columns of equal length: { text: [...], label: [...] }. */
    static fromDict(columns) {
        const names = Object.keys(columns);
        const n = names.length ? columns[names[0]].length : 0;
        for (const c of names) {
            if (columns[c].length !== n)
                throw new RangeError(`[dataset] column "${c}" has ${columns[c].length} values but "${names[0]}" has ${n}; columns must be equally long`);
        }
        return new Dataset(Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((c) => [c, columns[c][i]]))));
    }
    get numRows() {
        return this.rows.length;
    }
    get length() {
        return this.rows.length;
    }
    /** Column names, in first-seen order across the first rows. */
    get columnNames() {
        const names = new Set();
        for (const r of this.rows.slice(0, 100))
            for (const k of Object.keys(r))
                names.add(k);
        return [...names];
    }
    get(i) {
        if (!Number.isInteger(i) || i < 0 || i >= this.rows.length)
            throw new RangeError(`[dataset] index ${i} is out of range for ${this.rows.length} rows`);
        return this.rows[i];
    }
    sourceOf(i) {
        return this.sources[i];
    }
    column(name) {
        this.requireColumns([name], "column");
        return this.rows.map((r) => r[name]);
    }
    [Symbol.iterator]() {
        return this.rows[Symbol.iterator]();
    }
    toList() {
        return this.rows.map((r) => ({ ...r }));
    }
    map(fn, opts = {}) {
        const remove = new Set(opts.remove_columns ?? []);
        if (remove.size)
            this.requireColumns([...remove], "map(remove_columns)");
        const strip = (r) => {
            if (!remove.size)
                return r;
            const out = {};
            for (const [k, v] of Object.entries(r))
                if (!remove.has(k))
                    out[k] = v;
            return out;
        };
        if (!opts.batched) {
            const rowFn = fn;
            const rows = this.rows.map((r, i) => {
                const result = rowFn(r, i);
                if (result === null || typeof result !== "object")
                    throw new TypeError(`[dataset] map: the function returned ${result === null ? "null" : typeof result} for row ${i}; return an object of columns`);
                return { ...strip(r), ...result };
            });
            return new Dataset(rows, [...this.sources]);
        }
        const batchFn = fn;
        const size = opts.batch_size ?? 1000;
        const rows = [];
        const sources = [];
        for (let start = 0; start < this.rows.length; start += size) {
            const slice = this.rows.slice(start, start + size).map(strip);
            const indices = slice.map((_, i) => start + i);
            const batch = {};
            for (const name of new Set(slice.flatMap((r) => Object.keys(r))))
                batch[name] = slice.map((r) => r[name]);
            const out = batchFn(batch, indices);
            const names = Object.keys(out);
            const n = names.length ? out[names[0]].length : 0;
            for (const c of names) {
                if (!Array.isArray(out[c]) || out[c].length !== n)
                    throw new RangeError(`[dataset] map(batched): output column "${c}" has ${out[c]?.length} values but "${names[0]}" has ${n}`);
            }
            const sameCount = n === slice.length;
            for (let i = 0; i < n; i++) {
                // Columns the function did not return are kept when the row count is unchanged.
                const base = sameCount ? slice[i] : {};
                rows.push({ ...base, ...Object.fromEntries(names.map((c) => [c, out[c][i]])) });
                sources.push(sameCount ? this.sources[start + i] : undefined);
            }
        }
        return new Dataset(rows, sources);
    }
    filter(fn) {
        const keep = [];
        this.rows.forEach((r, i) => fn(r, i) && keep.push(i));
        return this.select(keep);
    }
    select(indices) {
        const rows = [];
        const sources = [];
        for (const i of indices) {
            if (!Number.isInteger(i) || i < 0 || i >= this.rows.length)
                throw new RangeError(`[dataset] select: index ${i} is out of range for ${this.rows.length} rows`);
            rows.push(this.rows[i]);
            sources.push(this.sources[i]);
        }
        return new Dataset(rows, sources);
    }
    /** A seeded permutation: the same seed always gives the same order. */
    shuffle(opts = {}) {
        const seed = typeof opts === "number" ? opts : opts.seed ?? 42;
        return this.select(new SeededRandom(seed).permutation(this.rows.length));
    }
    /** The first n rows (or all when there are fewer). */
    take(n) {
        return this.select(Array.from({ length: Math.min(n, this.rows.length) }, (_, i) => i));
    }
    trainTestSplit(opts = {}) {
        const n = this.rows.length;
        const nTest = resolveSize(opts.test_size, n, "test_size") ?? (opts.train_size !== undefined ? n - resolveSize(opts.train_size, n, "train_size") : Math.ceil(0.25 * n));
        if (nTest <= 0 || nTest >= n) {
            throw new RangeError(`[dataset] trainTestSplit: a test split of ${nTest} rows out of ${n} leaves one side empty; pick test_size between 1 and ${n - 1} rows (or a fraction)`);
        }
        const rng = new SeededRandom(opts.seed ?? 42);
        const shuffle = opts.shuffle ?? true;
        if (opts.stratify_by_column) {
            const col = opts.stratify_by_column;
            this.requireColumns([col], "trainTestSplit(stratify_by_column)");
            const groups = new Map();
            this.rows.forEach((r, i) => {
                const key = JSON.stringify(r[col]);
                groups.set(key, [...(groups.get(key) ?? []), i]);
            });
            // Each class gives its share of the test rows, largest remainders first so the total is exact.
            const entries = [...groups.values()].map((idx) => {
                const order = shuffle ? rng.permutation(idx.length).map((j) => idx[j]) : idx;
                const exact = (order.length * nTest) / n;
                return { order, take: Math.floor(exact), rest: exact - Math.floor(exact) };
            });
            let missing = nTest - entries.reduce((s, e) => s + e.take, 0);
            for (const e of [...entries].sort((a, b) => b.rest - a.rest))
                if (missing-- > 0)
                    e.take++;
            const test = entries.flatMap((e) => e.order.slice(0, e.take));
            const train = entries.flatMap((e) => e.order.slice(e.take));
            const mix = (idx) => (shuffle ? rng.permutation(idx.length).map((j) => idx[j]) : idx.sort((a, b) => a - b));
            return { train: this.select(mix(train)), test: this.select(mix(test)) };
        }
        const order = shuffle ? rng.permutation(n) : Array.from({ length: n }, (_, i) => i);
        return { train: this.select(order.slice(0, n - nTest)), test: this.select(order.slice(n - nTest)) };
    }
    renameColumn(from, to) {
        this.requireColumns([from], "renameColumn");
        if (from !== to && this.columnNames.includes(to))
            throw new Error(`[dataset] renameColumn: column "${to}" already exists; remove it first`);
        return new Dataset(this.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k === from ? to : k, v]))), [...this.sources]);
    }
    renameColumns(mapping) {
        let ds = this;
        for (const [from, to] of Object.entries(mapping))
            ds = ds.renameColumn(from, to);
        return ds;
    }
    removeColumns(names) {
        const list = Array.isArray(names) ? names : [names];
        this.requireColumns(list, "removeColumns");
        const drop = new Set(list);
        return new Dataset(this.rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.has(k)))), [...this.sources]);
    }
    selectColumns(names) {
        this.requireColumns(names, "selectColumns");
        return new Dataset(this.rows.map((r) => Object.fromEntries(names.map((k) => [k, r[k]]))), [...this.sources]);
    }
    /** Concatenates datasets with the same columns (HF's concatenate_datasets). */
    static concatenate(parts) {
        return new Dataset(parts.flatMap((d) => [...d.rows]), parts.flatMap((d) => [...d.sources]));
    }
    requireColumns(names, where) {
        const have = this.columnNames;
        for (const name of names) {
            if (this.rows.length && !have.includes(name)) {
                throw new Error(`[dataset] ${where}: no column "${name}"; the columns are ${have.join(", ") || "(none)"}`);
            }
        }
    }
}
function resolveSize(size, n, name) {
    if (size === undefined)
        return undefined;
    if (!(size > 0))
        throw new RangeError(`[dataset] ${name} must be a fraction in (0, 1) or a positive row count, got ${size}`);
    if (size < 1)
        return Math.ceil(size * n);
    if (!Number.isInteger(size))
        throw new RangeError(`[dataset] ${name} must be a fraction in (0, 1) or a whole row count, got ${size}`);
    return size;
}
//# sourceMappingURL=dataset.js.map