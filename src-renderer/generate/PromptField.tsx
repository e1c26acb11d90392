import { Text, Textarea } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { client } from '../api/client.js';

interface TokenInfo {
  tokens: number;
  chunks: number;
  fragments: { text: string; weight: number }[];
  parts: { weight: number; schedule: { endStep: number; text: string }[] }[];
}

/** "1-10" for the steps a scheduled text conditions. */
const stepRange = (schedule: { endStep: number }[], i: number) => {
  const from = i === 0 ? 1 : schedule[i - 1]!.endStep + 1;
  const to = schedule[i]!.endStep;
  return from === to ? `${to}` : `${from}-${to}`;
};

/**
 * A prompt box with A1111's token counter (tokens / the 75-token chunks they
 * fill), the emphasis it parsed (stronger words highlighted, weaker dimmed)
 * and, for prompt editing, alternation and AND, what the model sees at which
 * steps: each part with its weight, each text with its steps.
 */
export function PromptField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  model: string | null;
  minRows: number;
  testId: string;
  /** The sampling steps, which prompt editing's `when` is read against. */
  steps?: number;
  /** The text box itself (where the cursor is, for inserting at it). */
  inputRef?: React.Ref<HTMLTextAreaElement>;
}) {
  const { label, value, onChange, model, minRows, testId, steps = 20 } = props;
  const [debounced] = useDebouncedValue(value, 200);
  const [info, setInfo] = useState<TokenInfo | null>(null);

  useEffect(() => {
    if (!model) return;
    let live = true;
    client.invoke('prompt.tokens', { model, text: debounced, steps }).then(
      (i) => live && setInfo(i),
      () => live && setInfo(null),
    );
    return () => {
      live = false;
    };
  }, [debounced, model, steps]);

  const weighted = info?.fragments.some((f) => f.weight !== 1 && f.weight !== -1) ?? false;
  const scheduled = !!info && (info.parts.length > 1 || info.parts.some((p) => p.schedule.length > 1));
  return (
    <div>
      <Textarea
        ref={props.inputRef}
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
      {scheduled && (
        <Text size="xs" mt={4} data-testid={`${testId}-schedule`} aria-label="What the model sees, by step">
          {info!.parts.map((part, k) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: parts are positions in the parsed prompt
            <span key={k}>
              {k > 0 && (
                <Text span c="grape" fw={700}>
                  {' AND '}
                </Text>
              )}
              {info!.parts.length > 1 && (
                <Text span c="grape">
                  ×{part.weight}{' '}
                </Text>
              )}
              {part.schedule.map((e, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: schedule entries are step ranges
                <span key={i}>
                  {i > 0 && ' → '}
                  {part.schedule.length > 1 && (
                    <Text span c="teal" fw={600}>
                      [{stepRange(part.schedule, i)}]{' '}
                    </Text>
                  )}
                  <Text span>{e.text.trim() || '(nothing)'}</Text>
                </span>
              ))}
            </span>
          ))}
        </Text>
      )}
    </div>
  );
}
