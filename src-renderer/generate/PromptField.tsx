import { Text, Textarea } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { client } from '../api/client.js';

interface TokenInfo {
  tokens: number;
  chunks: number;
  fragments: { text: string; weight: number }[];
}

/**
 * A prompt box with A1111's token counter (tokens / the 75-token chunks they
 * fill) and the emphasis it parsed: stronger words highlighted, weaker dimmed.
 */
export function PromptField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  model: string | null;
  minRows: number;
  testId: string;
}) {
  const { label, value, onChange, model, minRows, testId } = props;
  const [debounced] = useDebouncedValue(value, 200);
  const [info, setInfo] = useState<TokenInfo | null>(null);

  useEffect(() => {
    if (!model) return;
    let live = true;
    client.invoke('prompt.tokens', { model, text: debounced }).then(
      (i) => live && setInfo(i),
      () => live && setInfo(null),
    );
    return () => {
      live = false;
    };
  }, [debounced, model]);

  const weighted = info?.fragments.some((f) => f.weight !== 1 && f.weight !== -1) ?? false;
  return (
    <div>
      <Textarea
        label={label}
        autosize
        minRows={minRows}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        data-testid={testId}
        rightSection={
          info && (
            <Text
              size="xs"
              c={info.chunks > 1 ? 'yellow' : 'dimmed'}
              data-testid={`${testId}-tokens`}
              style={{ alignSelf: 'flex-end', marginBottom: 6, whiteSpace: 'nowrap' }}
            >
              {info.tokens}/{info.chunks * 75}
            </Text>
          )
        }
        rightSectionWidth={64}
      />
      {weighted && (
        <Text size="xs" mt={4} data-testid={`${testId}-emphasis`} aria-label="Emphasis as parsed">
          {info!.fragments.map((f, i) =>
            f.weight === -1 ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: fragments are positions in the parsed prompt, re-derived on every edit
              <Text key={i} span c="violet" fw={700}>
                {' '}
                BREAK{' '}
              </Text>
            ) : (
              <Text
                // biome-ignore lint/suspicious/noArrayIndexKey: fragments are positions in the parsed prompt
                key={i}
                span
                fw={f.weight > 1 ? 700 : 400}
                c={f.weight > 1 ? 'orange' : f.weight < 1 ? 'dimmed' : undefined}
                title={`weight ${f.weight.toFixed(2)}`}
              >
                {f.text}
              </Text>
            ),
          )}
        </Text>
      )}
    </div>
  );
}
