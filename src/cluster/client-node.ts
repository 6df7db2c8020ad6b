// Hands @kubernetes/client-node's KubeConfig to kubeconfig.ts by a static import, for the dev
// server: its integration is loaded by Vite's config module runner, which is closed by the time a
// run would import the library lazily. The CLI does not import this (it loads the library only
// for users that need it: exec plugins, auth providers, impersonation, proxy-url).

import { KubeConfig } from '@kubernetes/client-node';
import { provideKubeConfig } from './kubeconfig.ts';

provideKubeConfig(KubeConfig);
