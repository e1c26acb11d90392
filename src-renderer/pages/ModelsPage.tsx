import { Alert, Stack, Title } from '@mantine/core';

export function ModelsPage() {
  return (
    <Stack>
      <Title order={2}>Models</Title>
      <Alert title="Not built yet">Model management arrives with the models work (issue 7).</Alert>
    </Stack>
  );
}
