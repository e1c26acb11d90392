/**
 * Adds a LoRA or an embedding from the models folder to the prompt the way
 * A1111 writes them: `<lora:NAME:1>` (edit the weight in the text), or the
 * embedding's name as a word. The list is read again each time it opens, so
 * files dropped into `loras/` or `embeddings/` show up without a restart.
 */
import { Group, Select } from '@mantine/core';
import { useCall } from '../api/use-call.js';

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

const KINDS = [
  { kind: 'loras', label: 'Add a LoRA', folder: 'loras/', insert: (name: string) => `<lora:${name}:1>` },
  { kind: 'embeddings', label: 'Add an embedding', folder: 'embeddings/', insert: (name: string) => name },
] as const;

export function NetworkPicker({ onInsert }: { onInsert: (text: string) => void }) {
  const networks = useCall('models.networks', {});
  return (
    <Group grow align="end">
      {KINDS.map(({ kind, label, folder, insert }) => {
        const files = networks.data?.[kind] ?? [];
        return (
          <Select
            key={kind}
            label={label}
            placeholder={files.length ? `Search ${folder}` : `No files in ${folder}`}
            searchable
            clearable
            value={null}
            nothingFoundMessage="Nothing by that name"
            data={files.map((f) => ({ value: f.name, label: `${f.name} (${mib(f.sizeBytes)})` }))}
            onDropdownOpen={networks.reload}
            onChange={(name) => name && onInsert(insert(name))}
            data-testid={kind === 'loras' ? 'lora-picker' : 'embedding-picker'}
          />
        );
      })}
    </Group>
  );
}
