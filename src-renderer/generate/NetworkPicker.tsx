/**
 * Adds a LoRA or an embedding from the models folder to the prompt the way
 * A1111 writes them: `<lora:NAME:1>` (edit the weight in the text), or the
 * embedding's name as a word. The list is read again each time it opens, so
 * files dropped into `loras/` or `embeddings/` show up without a restart.
 */
import { Group, Select } from '@mantine/core';
import { useCall } from '../api/use-call.js';

export function NetworkPicker({ onInsert }: { onInsert: (text: string) => void }) {
  const networks = useCall('models.networks', {});
  const loras = networks.data?.loras ?? [];
  const embeddings = networks.data?.embeddings ?? [];
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return (
    <Group grow align="end">
      <Select
        label="Add a LoRA"
        placeholder={loras.length ? 'Search loras/' : 'No files in loras/'}
        searchable
        clearable
        value={null}
        nothingFoundMessage="No such LoRA"
        data={loras.map((l) => ({ value: l.name, label: `${l.name} (${mib(l.sizeBytes)})` }))}
        onDropdownOpen={networks.reload}
        onChange={(name) => name && onInsert(`<lora:${name}:1>`)}
        data-testid="lora-picker"
      />
      <Select
        label="Add an embedding"
        placeholder={embeddings.length ? 'Search embeddings/' : 'No files in embeddings/'}
        searchable
        clearable
        value={null}
        nothingFoundMessage="No such embedding"
        data={embeddings.map((e) => ({ value: e.name, label: e.name }))}
        onDropdownOpen={networks.reload}
        onChange={(name) => name && onInsert(name)}
        data-testid="embedding-picker"
      />
    </Group>
  );
}
