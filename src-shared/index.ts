export * from './contract.js';
export * from './domain/errors.js';
export * from './domain/settings.js';
export * from './domain/system.js';
export * from './domain/engine.js';
export * from './domain/models.js';
export * from './domain/gallery.js';
