/**
 * Saved prompt styles (A1111's styles, imported from its styles.csv in
 * Settings): the ones picked are applied to both prompts when the job is
 * submitted, so the recorded prompt is the one that ran.
 */
import { MultiSelect } from '@mantine/core';
import { useCall } from '../api/use-call.js';

export function StylePicker({ value, onChange }: { value: string[]; onChange: (names: string[]) => void }) {
  const styles = useCall('styles.list', {});
  const names = (styles.data?.styles ?? []).map((s) => s.name);
  return (
    <MultiSelect
      label="Styles"
      placeholder={names.length ? 'Apply saved styles' : 'No styles yet (import A1111 styles.csv in Settings)'}
      data={[...new Set([...names, ...value])]}
      value={value}
      onChange={onChange}
      onDropdownOpen={styles.reload}
      searchable
      clearable
      data-testid="style-picker"
    />
  );
}
