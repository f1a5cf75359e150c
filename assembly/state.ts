// placeholder, replaced by the engine
export function stateVersion(): i32 { return 1; }
