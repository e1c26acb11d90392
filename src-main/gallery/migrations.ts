/**
 * Versioned schema migrations; PRAGMA user_version holds the version reached.
 * Append only: a released migration never changes.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: generations, tags, full-text search over prompts
  `
  CREATE TABLE generations (
    id               INTEGER PRIMARY KEY,
    created_at       INTEGER NOT NULL,
    mode             TEXT NOT NULL CHECK (mode IN ('txt2img', 'img2img', 'inpaint', 'import')),
    prompt           TEXT NOT NULL DEFAULT '',
    negative_prompt  TEXT NOT NULL DEFAULT '',
    model_name       TEXT,
    model_hash       TEXT,
    sampler          TEXT,
    sampler_label    TEXT,
    steps            INTEGER,
    cfg_scale        REAL,
    seed             INTEGER,
    rng              TEXT,
    width            INTEGER NOT NULL,
    height           INTEGER NOT NULL,
    strength         REAL,
    batch_index      INTEGER NOT NULL DEFAULT 0,
    provider         TEXT,
    engine_version   TEXT,
    runtime_version  TEXT,
    duration_ms      INTEGER,
    image_file       TEXT NOT NULL UNIQUE,
    init_image_file  TEXT,
    mask_file        TEXT,
    parent_id        INTEGER REFERENCES generations(id) ON DELETE SET NULL,
    favourite        INTEGER NOT NULL DEFAULT 0,
    source           TEXT NOT NULL DEFAULT 'latent-studio',
    metadata_json    TEXT
  );
  -- Listings order by id (= time of adding); each index ends in the rowid, so a filter
  -- and that order come from one index.
  CREATE INDEX generations_created ON generations (created_at);
  CREATE INDEX generations_model ON generations (model_name);
  CREATE INDEX generations_sampler ON generations (sampler);
  CREATE INDEX generations_favourite ON generations (favourite);
  CREATE INDEX generations_size ON generations (width, height);
  CREATE INDEX generations_parent ON generations (parent_id);
  CREATE INDEX generations_init ON generations (init_image_file);
  CREATE INDEX generations_mask ON generations (mask_file);

  CREATE TABLE tags (
    generation_id INTEGER NOT NULL REFERENCES generations(id) ON DELETE CASCADE,
    tag           TEXT NOT NULL,
    PRIMARY KEY (generation_id, tag)
  ) WITHOUT ROWID;
  CREATE INDEX tags_tag ON tags (tag, generation_id);

  CREATE VIRTUAL TABLE generations_fts USING fts5(
    prompt, negative_prompt, content='generations', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER generations_ai AFTER INSERT ON generations BEGIN
    INSERT INTO generations_fts (rowid, prompt, negative_prompt) VALUES (new.id, new.prompt, new.negative_prompt);
  END;
  CREATE TRIGGER generations_ad AFTER DELETE ON generations BEGIN
    INSERT INTO generations_fts (generations_fts, rowid, prompt, negative_prompt) VALUES ('delete', old.id, old.prompt, old.negative_prompt);
  END;
  CREATE TRIGGER generations_au AFTER UPDATE OF prompt, negative_prompt ON generations BEGIN
    INSERT INTO generations_fts (generations_fts, rowid, prompt, negative_prompt) VALUES ('delete', old.id, old.prompt, old.negative_prompt);
    INSERT INTO generations_fts (rowid, prompt, negative_prompt) VALUES (new.id, new.prompt, new.negative_prompt);
  END;
  `,
  // 2: deletes go to a trash first (deleted_at), so Undo is a restore and a delete is committed at once
  `
  ALTER TABLE generations ADD COLUMN deleted_at INTEGER;
  CREATE INDEX generations_trash ON generations (deleted_at) WHERE deleted_at IS NOT NULL;
  `,
  // 3: SDXL's size conditioning (null: the picture's own size, crop 0,0)
  `
  ALTER TABLE generations ADD COLUMN original_width INTEGER;
  ALTER TABLE generations ADD COLUMN original_height INTEGER;
  ALTER TABLE generations ADD COLUMN crop_top INTEGER;
  ALTER TABLE generations ADD COLUMN crop_left INTEGER;
  `,
  // 4: A1111's variation seed and strength
  `
  ALTER TABLE generations ADD COLUMN variation_seed INTEGER;
  ALTER TABLE generations ADD COLUMN variation_strength REAL;
  `,
  // 5: hires fix
  `
  ALTER TABLE generations ADD COLUMN hires_scale REAL;
  ALTER TABLE generations ADD COLUMN hires_steps INTEGER;
  ALTER TABLE generations ADD COLUMN hires_denoise REAL;
  ALTER TABLE generations ADD COLUMN hires_upscaler TEXT;
  `,
  // 6: the replacement VAE chosen for the generation
  `
  ALTER TABLE generations ADD COLUMN vae TEXT;
  `,
  // 7: A1111's resize seed from width/height
  `
  ALTER TABLE generations ADD COLUMN seed_resize_from_width INTEGER;
  ALTER TABLE generations ADD COLUMN seed_resize_from_height INTEGER;
  `,
  // 8: inpainting of only the masked area, and its padding
  `
  ALTER TABLE generations ADD COLUMN inpaint_area TEXT;
  ALTER TABLE generations ADD COLUMN mask_padding INTEGER;
  `,
];
