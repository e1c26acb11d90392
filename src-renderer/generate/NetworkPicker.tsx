/**
 * Adds a LoRA or an embedding from the models folder to the prompt the way
 * A1111 writes them: `<lora:NAME:1>` (edit the weight in the text), or the
 * embedding's name as a word; and picks the VAE (the model's own, or a file
 * of `vae/`). The lists are read again each time one opens, so files dropped
 * into the models folder show up without a restart.
 */
import { Avatar, Group, Select, Text } from '@mantine/core';
import { useCall } from '../api/use-call.js';

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

const FAMILY_LABEL: Record<string, string> = { sd1: 'SD 1.x', sd2: 'SD 2.x', sdxl: 'SDXL' };
/** The registry's model families as LoRA families name them (v-prediction SD 2.x takes SD 2.x files). */
const asFileFamily = (modelFamily: string | null) => (modelFamily === 'sd2-v' ? 'sd2' : modelFamily);

const KINDS = [
  { kind: 'loras', label: 'Add a LoRA', folder: 'loras/', insert: (name: string) => `<lora:${name}:1>` },
  { kind: 'embeddings', label: 'Add an embedding', folder: 'embeddings/', insert: (name: string) => name },
] as const;

export function NetworkPicker({
  onInsert,
  vae,
  onVae,
  modelFamily,
}: {
  onInsert: (text: string) => void;
  vae: string | null;
  onVae: (vae: string | null) => void;
  /** The chosen model's family: files made for another one are marked and listed after the ones that fit. */
  modelFamily: string | null;
}) {
  const family = asFileFamily(modelFamily);
  const fitsNot = (f: { family: string | null }) => f.family !== null && family !== null && f.family !== family;
  const networks = useCall('models.networks', {});
  const vaes = networks.data?.vae ?? [];
  // A remixed or imported record may name its VAE with the extension, as A1111 writes it.
  const vaeValue = vae?.replace(/\.safetensors$/i, '') ?? null;
  return (
    <Group grow align="end">
      {KINDS.map(({ kind, label, folder, insert }) => {
        const files = [...(networks.data?.[kind] ?? [])].sort((a, b) => Number(fitsNot(a)) - Number(fitsNot(b)));
        const thumbnails = new Map(files.map((f) => [f.name, f.thumbnail]));
        return (
          <Select
            key={kind}
            label={label}
            placeholder={files.length ? `Search ${folder}` : `No files in ${folder}`}
            searchable
            clearable
            value={null}
            nothingFoundMessage="Nothing by that name"
            data={files.map((f) => ({
              value: f.name,
              // LyCORIS files say what they are (LoHa, LoKr); plain LoRAs need no word.
              label: `${f.name} (${f.format && f.format !== 'LoRA' ? `${f.format}, ` : ''}${mib(f.sizeBytes)}${fitsNot(f) ? `, for ${FAMILY_LABEL[f.family!] ?? f.family}` : ''})`,
            }))}
            // A preview picture kept beside the file (NAME.preview.png, NAME.png...) shows as a thumbnail.
            renderOption={({ option }) => (
              <Group gap="xs" wrap="nowrap">
                <Avatar
                  src={thumbnails.get(option.value) ?? null}
                  radius="sm"
                  size={40}
                  aria-hidden
                  data-testid="network-thumbnail"
                  data-has-preview={thumbnails.get(option.value) ? 'true' : 'false'}
                >
                  {option.value.slice(0, 2)}
                </Avatar>
                <Text size="sm">{option.label}</Text>
              </Group>
            )}
            onDropdownOpen={networks.reload}
            onChange={(name) => name && onInsert(insert(name))}
            data-testid={kind === 'loras' ? 'lora-picker' : 'embedding-picker'}
          />
        );
      })}
      <Select
        label="VAE"
        placeholder="The model's own"
        clearable
        value={vaeValue}
        data={[
          ...vaes.map((f) => ({ value: f.name, label: `${f.name} (${mib(f.sizeBytes)})` })),
          ...(vaeValue && !vaes.some((f) => f.name === vaeValue)
            ? [{ value: vaeValue, label: `${vaeValue} (missing)` }]
            : []),
        ]}
        onDropdownOpen={networks.reload}
        onChange={onVae}
        data-testid="vae-picker"
      />
    </Group>
  );
}
