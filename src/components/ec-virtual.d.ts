// The site's Expressive Code configuration, as astro-expressive-code's integration serves it to
// Vite (its own declarations live in a file its package does not export).

declare module 'virtual:astro-expressive-code/config' {
  import type { AstroExpressiveCodeOptions, PartialAstroConfig } from '@astrojs/starlight/expressive-code';
  export const astroConfig: PartialAstroConfig;
  export const ecConfigFileOptions: AstroExpressiveCodeOptions;
  export const ecIntegrationOptions: AstroExpressiveCodeOptions;
}

declare module 'virtual:astro-expressive-code/preprocess-config' {
  import type { ConfigPreprocessorFn } from '@astrojs/starlight/expressive-code';
  const preprocessEcConfig: ConfigPreprocessorFn;
  export default preprocessEcConfig;
}
