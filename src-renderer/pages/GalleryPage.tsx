import { Alert, Stack, Title } from '@mantine/core';

export function GalleryPage() {
  return (
    <Stack>
      <Title order={2}>Gallery</Title>
      <Alert title="Not built yet">The searchable gallery arrives with the gallery work (issue 5).</Alert>
    </Stack>
  );
}
