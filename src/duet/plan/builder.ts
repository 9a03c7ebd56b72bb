import { isTensor, type Tensor } from '../../tensor';
import type { Args, Plan, PlanNode } from './types';

/** A handle to a node in a plan being built. */
export interface NodeRef {
  readonly node: number;
}

type Input = NodeRef | number | string | boolean | Tensor;

// Builds plans the way a notebook cell reads: `b.op('mean', [b.op('column', [adult], { name: 'age' })])`.
// Plain numbers, strings and tensors given as inputs become constant nodes.
export class PlanBuilder {
  readonly #nodes: PlanNode[] = [];

  asset(assetId: string): NodeRef {
    return this.#push({ kind: 'asset', assetId });
  }

  pointer(pointerId: string): NodeRef {
    return this.#push({ kind: 'pointer', pointerId });
  }

  constant(value: number | string | boolean | Tensor): NodeRef {
    return this.#push({ kind: 'constant', value });
  }

  op(op: string, inputs: readonly Input[], args: Args = {}): NodeRef {
    return this.#push({ kind: 'op', op, inputs: inputs.map((x) => this.#ref(x).node), args });
  }

  build(output: NodeRef): Plan {
    return { nodes: [...this.#nodes], output: output.node };
  }

  #ref(x: Input): NodeRef {
    if (typeof x === 'object' && !isTensor(x)) return x;
    return this.constant(x);
  }

  #push(n: PlanNode): NodeRef {
    this.#nodes.push(n);
    return { node: this.#nodes.length - 1 };
  }
}
