// The key under which an explicit Provider passes its name to the provider process, beside its
// settings (named like the stack config's `itential:*` keys, so one reader serves both).
export const PROVIDER_NAME_KEY = "itential:providerName";
