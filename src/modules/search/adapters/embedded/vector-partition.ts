import { HierarchicalNSW } from 'hnswlib-node';
import { HnswSettings } from '../../../../config/search.config';
import { matchesFilter, SearchFilter, SearchPayload } from '../../domain/search-document';
import { dotAt, TopK } from '../../domain/vector-math';

export interface PartitionOptions {
  dimension: number;
  hnsw: HnswSettings;
  exactSearchMax: number;
}

export interface PartitionPoint {
  id: string;
  /** Unit length. */
  vector: Float32Array;
  payload: SearchPayload;
}

/** Labels (slots) of one partition as persisted in its manifest. */
export type PartitionEntry = [label: number, id: string, payload: SearchPayload];

/** Longest stretch of graph work between two turns of the event loop (requests wait at most about this). */
const SLICE_MS = 10;

/** Graph candidates fetched beyond k, so ties at the cut are decided by id. */
const GRAPH_TIE_MARGIN = 8;

/** Resolves after one macrotask turn: timers, sockets and HTTP requests run in between. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The vectors of one company and one type. Vectors live in a flat Float32Array indexed by label, which
 * serves exact search and (re)building; above `exactSearchMax` points an HNSW graph over the same labels
 * answers unfiltered and broadly filtered queries. A deleted label is marked deleted in the graph and
 * reused by the next new id (hnswlib un-marks and updates it on addPoint).
 *
 * Not safe for concurrent mutation: the adapter serializes upsert/delete/build/save per partition.
 */
export class VectorPartition {
  private vectors: Float32Array;
  private readonly idsByLabel: (string | undefined)[] = [];
  private readonly payloads: (SearchPayload | undefined)[] = [];
  private readonly labelById = new Map<string, number>();
  private readonly freeLabels: number[] = [];
  private hnsw: HierarchicalNSW | undefined;

  constructor(private readonly options: PartitionOptions) {
    this.vectors = new Float32Array(options.dimension * 64);
  }

  get dimension(): number {
    return this.options.dimension;
  }

  get size(): number {
    return this.labelById.size;
  }

  /** Highest label in use + 1: the length of the persisted vector block. */
  get labelCount(): number {
    return this.idsByLabel.length;
  }

  get hasGraph(): boolean {
    return this.hnsw !== undefined;
  }

  /** True once the partition is big enough that queries should go through HNSW. */
  get needsGraph(): boolean {
    return this.hnsw === undefined && this.size > this.options.exactSearchMax;
  }

  /**
   * Like `upsert`, in slices of at most SLICE_MS between turns of the event loop: with a graph, each point
   * is an HNSW insertion, and a whole chunk of them would hold every request of the process meanwhile.
   */
  async upsertSliced(points: PartitionPoint[]): Promise<void> {
    let sliceStarted = performance.now();
    for (let start = 0; start < points.length; start += 16) {
      this.upsert(points.slice(start, start + 16));
      if (performance.now() - sliceStarted >= SLICE_MS) {
        await nextTurn();
        sliceStarted = performance.now();
      }
    }
  }

  upsert(points: PartitionPoint[]): void {
    for (const point of points) {
      let label = this.labelById.get(point.id);
      if (label !== undefined && this.holds(label, point.vector)) {
        // The same vector again (a forced re-index): re-inserting it would rewire the graph around it and
        // move approximate results although the data did not change.
        this.payloads[label] = point.payload;
        continue;
      }
      if (label === undefined) {
        label = this.freeLabels.pop() ?? this.idsByLabel.length;
        this.labelById.set(point.id, label);
      }
      this.ensureCapacity(label + 1);
      this.vectors.set(point.vector, label * this.dimension);
      this.idsByLabel[label] = point.id;
      this.payloads[label] = point.payload;
      if (this.hnsw) this.addToGraph(this.hnsw, label);
    }
  }

  delete(ids: string[]): number {
    let removed = 0;
    for (const id of ids) {
      const label = this.labelById.get(id);
      if (label === undefined) continue;
      this.labelById.delete(id);
      this.idsByLabel[label] = undefined;
      this.payloads[label] = undefined;
      this.freeLabels.push(label);
      this.hnsw?.markDelete(label);
      removed++;
    }
    return removed;
  }

  count(filter?: SearchFilter): number {
    if (!filter) return this.size;
    let n = 0;
    for (const payload of this.payloads) if (payload && matchesFilter(payload, filter)) n++;
    return n;
  }

  search(
    query: Float32Array,
    k: number,
    filter?: SearchFilter,
  ): { id: string; score: number; payload: SearchPayload }[] {
    if (this.size === 0) return [];
    let candidates: number[] | undefined;
    if (filter) {
      candidates = [];
      for (let label = 0; label < this.payloads.length; label++) {
        const payload = this.payloads[label];
        if (payload && matchesFilter(payload, filter)) candidates.push(label);
      }
      if (candidates.length === 0) return [];
    }
    const useGraph =
      this.hnsw !== undefined && (candidates?.length ?? this.size) > this.options.exactSearchMax;
    const ranked = useGraph
      ? this.searchGraph(this.hnsw!, query, k, candidates)
      : this.searchExact(query, k, candidates);
    return ranked.map(({ label, score }) => ({
      id: this.idsByLabel[label]!,
      score,
      payload: this.payloads[label]!,
    }));
  }

  /** Builds the HNSW graph over all live labels, yielding to the event loop so requests keep flowing. */
  async buildGraph(): Promise<void> {
    const graph = this.newGraph(Math.max(this.labelCount, 16));
    let sliceStarted = performance.now();
    for (let label = 0; label < this.labelCount; label++) {
      if (this.idsByLabel[label] === undefined) continue;
      this.addToGraph(graph, label);
      // By time, not by count: one insertion costs more as the graph (and the machine's load) grows.
      if (performance.now() - sliceStarted >= SLICE_MS) {
        await nextTurn();
        sliceStarted = performance.now();
      }
    }
    this.hnsw = graph;
  }

  /** Replaces the graph with one read from disk; false when it does not match the stored labels. */
  async readGraph(file: string): Promise<boolean> {
    const graph = new HierarchicalNSW('cosine', this.dimension);
    try {
      await graph.readIndex(file);
    } catch {
      return false;
    }
    const inGraph = new Set(graph.getIdsList());
    for (const label of this.labelById.values()) if (!inGraph.has(label)) return false;
    // Re-mark free slots: a graph saved before a delete was committed must not revive that point.
    for (const label of this.freeLabels) {
      if (!inGraph.has(label)) continue;
      try {
        graph.markDelete(label);
      } catch {
        // Already marked deleted.
      }
    }
    graph.setEf(this.options.hnsw.efSearch);
    this.hnsw = graph;
    return true;
  }

  async writeGraph(file: string): Promise<void> {
    if (this.hnsw) await this.hnsw.writeIndex(file);
  }

  entries(): PartitionEntry[] {
    const entries: PartitionEntry[] = [];
    for (let label = 0; label < this.idsByLabel.length; label++) {
      const id = this.idsByLabel[label];
      if (id !== undefined) entries.push([label, id, this.payloads[label]!]);
    }
    return entries;
  }

  /** The vector block for labels [0, labelCount): free slots hold stale values and are ignored on load. */
  vectorBytes(): Uint8Array {
    return new Uint8Array(this.vectors.buffer, this.vectors.byteOffset, this.labelCount * this.dimension * 4);
  }

  /** Restores labels and vectors saved by `entries()` / `vectorBytes()`. */
  restore(entries: PartitionEntry[], labelCount: number, bytes: Uint8Array): void {
    if (bytes.byteLength !== labelCount * this.dimension * 4) {
      throw new Error(
        `vector file holds ${bytes.byteLength} bytes, expected ${labelCount * this.dimension * 4}`,
      );
    }
    this.ensureCapacity(labelCount);
    // Copy: the source buffer may not be 4-byte aligned.
    new Uint8Array(this.vectors.buffer, this.vectors.byteOffset, bytes.byteLength).set(bytes);
    const used = new Set<number>();
    for (const [label, id, payload] of entries) {
      this.idsByLabel[label] = id;
      this.payloads[label] = payload;
      this.labelById.set(id, label);
      used.add(label);
    }
    this.idsByLabel.length = Math.max(this.idsByLabel.length, labelCount);
    this.payloads.length = this.idsByLabel.length;
    for (let label = labelCount - 1; label >= 0; label--) if (!used.has(label)) this.freeLabels.push(label);
  }

  private searchExact(
    query: Float32Array,
    k: number,
    candidates?: number[],
  ): { label: number; score: number }[] {
    const top = new TopK(k, this.byId);
    const dimension = this.dimension;
    if (candidates) {
      for (const label of candidates) top.offer(label, dotAt(query, this.vectors, label * dimension));
    } else {
      for (let label = 0; label < this.idsByLabel.length; label++) {
        if (this.idsByLabel[label] === undefined) continue;
        const score = dotAt(query, this.vectors, label * dimension);
        if (score >= top.threshold) top.offer(label, score);
      }
    }
    return top.sorted();
  }

  private searchGraph(
    graph: HierarchicalNSW,
    query: Float32Array,
    k: number,
    candidates?: number[],
  ): { label: number; score: number }[] {
    // A few more than k: points tied with the k-th are then cut by id below, not by where the walk met them.
    const wanted = Math.min(k + GRAPH_TIE_MARGIN, graph.getMaxElements());
    graph.setEf(Math.max(this.options.hnsw.efSearch, wanted));
    let allowed: ((label: number) => boolean) | undefined;
    if (candidates) {
      const mask = new Uint8Array(this.labelCount);
      for (const label of candidates) mask[label] = 1;
      allowed = (label) => mask[label] === 1;
    }
    const { neighbors } = graph.searchKnn(Array.from(query), wanted, allowed);
    // Re-score exactly from the stored vectors: same scale as exact search, and stable ordering.
    const top = new TopK(k, this.byId);
    for (const label of neighbors) {
      if (this.idsByLabel[label] !== undefined)
        top.offer(label, dotAt(query, this.vectors, label * this.dimension));
    }
    return top.sorted();
  }

  /** True when `label` already stores exactly this vector. */
  private holds(label: number, vector: Float32Array): boolean {
    const offset = label * this.dimension;
    for (let i = 0; i < this.dimension; i++) if (this.vectors[offset + i] !== vector[i]) return false;
    return true;
  }

  /** Equal scores rank by id, not by storage slot: slots depend on the history of inserts and deletes. */
  private readonly byId = (labelA: number, labelB: number): number => {
    const a = this.idsByLabel[labelA]!;
    const b = this.idsByLabel[labelB]!;
    return a < b ? -1 : a > b ? 1 : 0;
  };

  private newGraph(capacity: number): HierarchicalNSW {
    const graph = new HierarchicalNSW('cosine', this.dimension);
    graph.initIndex({
      maxElements: capacity,
      m: this.options.hnsw.m,
      efConstruction: this.options.hnsw.efConstruction,
      randomSeed: 42,
    });
    graph.setEf(this.options.hnsw.efSearch);
    return graph;
  }

  private addToGraph(graph: HierarchicalNSW, label: number): void {
    if (label >= graph.getMaxElements()) graph.resizeIndex(Math.max(label + 1, graph.getMaxElements() * 2));
    const offset = label * this.dimension;
    graph.addPoint(Array.from(this.vectors.subarray(offset, offset + this.dimension)), label);
  }

  private ensureCapacity(labels: number): void {
    const needed = labels * this.dimension;
    if (needed <= this.vectors.length) return;
    let size = this.vectors.length;
    while (size < needed) size *= 2;
    const grown = new Float32Array(size);
    grown.set(this.vectors);
    this.vectors = grown;
  }
}
