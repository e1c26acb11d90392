import { Alert, Stack, Title } from '@mantine/core';

export function GeneratePage() {
  return (
    <Stack>
      <Title order={2}>Generate</Title>
      <Alert title="Not built yet">Generation arrives with the engine (issue 3).</Alert>
    </Stack>
  );
}
