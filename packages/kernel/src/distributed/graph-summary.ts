import type { ExecutionGraph } from '../graph/execution-graph.js';
import type { JobGraphSummary } from './job-record.js';

/** The plain-JSON description of a compiled graph that the job store keeps: operators and edges by name. */
export function summarizeGraph(graph: ExecutionGraph): JobGraphSummary {
  return {
    operators: graph.vertices.map((vertex) => ({
      name: vertex.transformation.options.name,
      kind: vertex.transformation.operation,
      parallelism: vertex.parallelism,
    })),
    edges: graph.vertices.flatMap((vertex) =>
      vertex.inputs.map((edge) => ({
        from: edge.from.transformation.options.name,
        to: vertex.transformation.options.name,
        partitioner: edge.partitioner.kind,
      })),
    ),
  };
}
