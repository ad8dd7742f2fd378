import { PipelineError } from '@sage/common';
import type { Partitioner } from '../runtime/output.js';
import type { KeySelector } from '../runtime/stream-operator.js';
import type { JobGraph } from './job-graph.js';
import type { Transformation } from './transformation.js';

/** One operator of the execution graph, run as `parallelism` instances. */
export interface ExecutionVertex {
  readonly id: string;
  readonly transformation: Transformation;
  readonly parallelism: number;
  /** Incoming edges; an instance's input edge index is the position here. */
  readonly inputs: ExecutionEdge[];
  readonly outputs: ExecutionEdge[];
  /** Id of the feedback loop (strongly connected component) the vertex is part of, if any. */
  loop: number | undefined;
}

export interface ExecutionEdge {
  readonly from: ExecutionVertex;
  readonly to: ExecutionVertex;
  readonly sideTag: string | undefined;
  readonly partitioner: Partitioner;
  /** The key of records on this edge, given to the target's keyed state. */
  readonly keySelector: KeySelector | undefined;
  /** Input position in the target operator (connected streams). */
  readonly inputIndex: number;
  /** Index of this edge in `to.inputs`. */
  readonly targetEdge: number;
  /** Number of upstream instances that send end-of-partition over this edge to each target instance. */
  readonly upstreamInstances: number;
}

export interface ExecutionGraph {
  readonly jobName: string;
  readonly vertices: ExecutionVertex[];
}

/** Turns the logical graph into the execution graph: instances, partitioners and feedback loops. */
export function compile(graph: JobGraph): ExecutionGraph {
  const vertices = new Map<Transformation, ExecutionVertex>();
  for (const transformation of graph.transformations) {
    if (transformation.kind === 'future' && transformation.inputs.length === 0) {
      throw new PipelineError(
        `future stream "${transformation.options.name}" was never filled: call stream.fillFuture(future) before submit()`,
      );
    }
    vertices.set(transformation, {
      id: transformation.id,
      transformation,
      parallelism: transformation.options.parallelism,
      inputs: [],
      outputs: [],
      loop: undefined,
    });
  }
  for (const transformation of graph.transformations) {
    const to = vertices.get(transformation)!;
    for (const input of transformation.inputs) {
      const from = vertices.get(input.from);
      if (from === undefined) throw new PipelineError(`"${transformation.options.name}" reads a stream of another job`);
      const partitioner = choosePartitioner(input.strategy, input.keySelector, from, to);
      const edge: ExecutionEdge = {
        from,
        to,
        sideTag: input.sideTag,
        partitioner,
        keySelector: input.keySelector,
        inputIndex: input.inputIndex,
        targetEdge: to.inputs.length,
        upstreamInstances: partitioner.kind === 'forward' ? 1 : from.parallelism,
      };
      to.inputs.push(edge);
      from.outputs.push(edge);
    }
  }
  const list = [...vertices.values()];
  markLoops(list);
  return { jobName: graph.jobName, vertices: list };
}

function choosePartitioner(
  strategy: Transformation['inputs'][number]['strategy'],
  keySelector: KeySelector | undefined,
  from: ExecutionVertex,
  to: ExecutionVertex,
): Partitioner {
  switch (strategy) {
    case 'hash':
      return { kind: 'hash', keySelector: keySelector! };
    case 'broadcast':
      return { kind: 'broadcast' };
    case 'roundRobin':
    case 'rebalance':
      return { kind: 'rebalance' };
    case 'forward':
      if (from.parallelism !== to.parallelism) {
        throw new PipelineError(
          `forward edge "${from.transformation.options.name}" -> "${to.transformation.options.name}" needs equal parallelism (${from.parallelism} vs ${to.parallelism})`,
        );
      }
      return { kind: 'forward' };
    default:
      return from.parallelism === to.parallelism ? { kind: 'forward' } : { kind: 'rebalance' };
  }
}

/** Tarjan's strongly connected components: vertices on a cycle share a loop id. */
function markLoops(vertices: ExecutionVertex[]): void {
  let index = 0;
  let loopId = 0;
  const indexOf = new Map<ExecutionVertex, number>();
  const lowLink = new Map<ExecutionVertex, number>();
  const stack: ExecutionVertex[] = [];
  const onStack = new Set<ExecutionVertex>();

  const visit = (vertex: ExecutionVertex): void => {
    indexOf.set(vertex, index);
    lowLink.set(vertex, index++);
    stack.push(vertex);
    onStack.add(vertex);
    for (const edge of vertex.outputs) {
      const next = edge.to;
      if (!indexOf.has(next)) {
        visit(next);
        lowLink.set(vertex, Math.min(lowLink.get(vertex)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(vertex, Math.min(lowLink.get(vertex)!, indexOf.get(next)!));
      }
    }
    if (lowLink.get(vertex) !== indexOf.get(vertex)) return;
    const component: ExecutionVertex[] = [];
    let member: ExecutionVertex;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== vertex);
    const cyclic = component.length > 1 || vertex.outputs.some((edge) => edge.to === vertex);
    if (cyclic) {
      for (const m of component) m.loop = loopId;
      loopId++;
    }
  };
  for (const vertex of vertices) if (!indexOf.has(vertex)) visit(vertex);
}
