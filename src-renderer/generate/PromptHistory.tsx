/** Prompt history: the prompts used lately (from the gallery), searchable; picking one fills both prompts. */
import { Select } from '@mantine/core';
import { useCall } from '../api/use-call.js';

export function PromptHistory({ onPick }: { onPick: (prompt: string, negativePrompt: string) => void }) {
  const history = useCall('gallery.prompts', { limit: 100 });
  const prompts = history.data?.prompts ?? [];
  return (
    <Select
      label="History"
      placeholder={prompts.length ? 'Search the prompts used lately' : 'No prompts yet'}
      data={prompts.map((p) => ({
        value: p.prompt,
        label: p.prompt.length > 120 ? `${p.prompt.slice(0, 117)}...` : p.prompt,
      }))}
      value={null}
      searchable
      onDropdownOpen={history.reload}
      onChange={(v) => {
        const hit = prompts.find((p) => p.prompt === v);
        if (hit) onPick(hit.prompt, hit.negativePrompt);
      }}
      comboboxProps={{ width: 'max-content', position: 'bottom-start' }}
      data-testid="prompt-history"
    />
  );
}
