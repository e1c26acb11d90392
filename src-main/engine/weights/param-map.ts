/**
 * Which diffusers parameter each weight initializer of an ONNX export holds.
 * Exporters keep torch names for some initializers (`m.down_blocks.0...conv1.weight`)
 * and not for others (`onnx::MatMul_1624`), so a parameter is named after the
 * node that consumes it (`/m/down_blocks.0/.../to_q/MatMul` -> `...to_q`) and
 * its role there (op and input slot). torch.onnx also merges initializers
 * with equal values and hands them to each user through an Identity node;
 * each such user is a parameter of its own, so a write can un-share it.
 */
import type { InitializerInfo, NodeInfo, OnnxGraphIndex } from './onnx-graph.js';

/** SDXL's second text encoder (OpenCLIP bigG, exported as CLIPTextModelWithProjection) is `text_encoder_2`. */
export type ModelPart = 'unet' | 'text_encoder' | 'text_encoder_2' | 'vae_encoder' | 'vae_decoder';

/** One place a parameter's value lives in the graph. */
export interface ParamSite {
  /** The initializer holding the bytes. */
  initializer: string;
  /** The value name the consumer reads: the initializer itself, or an Identity node's output. */
  value: string;
  /** The consumer and the input slot it reads the value at. */
  node: NodeInfo;
  slot: number;
  /** The Identity node in between, when there is one. */
  identity: NodeInfo | null;
  /** 'transposed': a Linear weight stored as W^T ([in, out]) for MatMul. */
  layout: 'plain' | 'transposed';
}

export interface Param {
  name: string;
  /** The stored tensor's dims (torch order unless transposed). */
  dims: number[];
  sites: ParamSite[];
}

/** The first path segment of each part's parameters, after any exporter wrapper. */
const ROOTS: Record<ModelPart, readonly string[]> = {
  unet: [
    'conv_in',
    'time_proj',
    'time_embedding',
    'class_embedding',
    'add_embedding',
    'down_blocks',
    'mid_block',
    'up_blocks',
    'conv_norm_out',
    'conv_out',
  ],
  text_encoder: ['embeddings', 'encoder', 'final_layer_norm'],
  text_encoder_2: ['embeddings', 'encoder', 'final_layer_norm'],
  vae_encoder: ['encoder', 'quant_conv'],
  vae_decoder: ['decoder', 'post_quant_conv'],
};
const PREFIX: Record<ModelPart, string> = {
  unet: '',
  text_encoder: 'text_model.',
  text_encoder_2: 'text_model.',
  vae_encoder: '',
  vae_decoder: '',
};

/** `m.text_model.encoder.layers.0` -> `text_model.encoder.layers.0` for the part's roots; null when none matches. */
function canonical(part: ModelPart, dotted: string): string | null {
  const segs = dotted.split('.');
  const at = segs.findIndex((s) => ROOTS[part].includes(s));
  return at < 0 ? null : PREFIX[part] + segs.slice(at).join('.');
}

/**
 * The module a node belongs to: its name without the op, slashes as dots,
 * named as diffusers names it where the path holds one of the part's roots.
 * A graph of another layout (the studio's own small models) keeps its own
 * path, so its weights are still located, named as that graph names them.
 */
function moduleOf(part: ModelPart, node: NodeInfo): string | null {
  const segs = node.name.split('/').filter(Boolean);
  if (segs.length < 2) return null;
  const dotted = segs.slice(0, -1).join('.');
  return canonical(part, dotted) ?? dotted;
}

/** The parameter a consumer reads at `slot`, from the op's role; null when it is no parameter. */
function roleOf(node: NodeInfo, slot: number): { param: 'weight' | 'bias'; layout: ParamSite['layout'] } | null {
  switch (node.opType) {
    case 'Conv':
      return slot === 1 ? { param: 'weight', layout: 'plain' } : slot === 2 ? { param: 'bias', layout: 'plain' } : null;
    case 'Gemm':
      if (slot === 2) return { param: 'bias', layout: 'plain' };
      return slot === 1 ? { param: 'weight', layout: node.ints.transB === 1 ? 'plain' : 'transposed' } : null;
    case 'MatMul':
      return slot === 1 ? { param: 'weight', layout: 'transposed' } : null;
    case 'LayerNormalization':
      return slot === 1 ? { param: 'weight', layout: 'plain' } : slot === 2 ? { param: 'bias', layout: 'plain' } : null;
    case 'Gather':
      return slot === 0 ? { param: 'weight', layout: 'plain' } : null;
    // A Linear's bias after its MatMul; a GroupNorm's affine after InstanceNormalization.
    case 'Add':
      return { param: 'bias', layout: 'plain' };
    case 'Mul':
      return { param: 'weight', layout: 'plain' };
    default:
      return null;
  }
}

const isFloat = (t: InitializerInfo) => t.dataType === 1 || t.dataType === 10 || t.dataType === 16;

/** Every parameter of one part, by its diffusers name. */
export function mapParams(index: OnnxGraphIndex, part: ModelPart): Map<string, Param> {
  const consumers = new Map<string, { node: NodeInfo; slot: number }[]>();
  for (const node of index.nodes) {
    node.inputs.forEach((input, slot) => {
      if (!input) return;
      const list = consumers.get(input);
      if (list) list.push({ node, slot });
      else consumers.set(input, [{ node, slot }]);
    });
  }
  const params = new Map<string, Param>();
  const add = (name: string, t: InitializerInfo, site: ParamSite) => {
    const p = params.get(name);
    if (p) p.sites.push(site);
    else params.set(name, { name, dims: t.dims, sites: [site] });
  };
  for (const t of index.initializers.values()) {
    if (!isFloat(t) || t.dims.length === 0) continue;
    const visit = (value: string, identity: NodeInfo | null) => {
      for (const { node, slot } of consumers.get(value) ?? []) {
        if (node.opType === 'Identity') {
          visit(node.outputs[0]!, node);
          continue;
        }
        const role = roleOf(node, slot);
        const module = role ? moduleOf(part, node) : null;
        if (!role || !module) continue;
        add(`${module}.${role.param}`, t, { initializer: t.name, value, node, slot, identity, layout: role.layout });
      }
    };
    visit(t.name, null);
  }
  return params;
}
