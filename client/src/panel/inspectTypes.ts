/** Shapes returned by the inspect endpoints (server/inspect/router.ts). */
export interface SocketRow {
  proto: string;
  state: string;
  local: string;
  port: number | null;
  process: string | null;
  pid: number | null;
}

export interface SocketsResponse {
  namespace: string;
  sockets: SocketRow[];
}

export interface FirewallResponse {
  namespace: string;
  tool: 'nft' | 'iptables';
  /** Human-readable ruleset (`nft list ruleset` or `iptables-save`). */
  text: string;
  /** `nft -j list ruleset` parsed, when nft is the tool. */
  json: unknown;
  /** Number of rules found (0 means an empty firewall). */
  rules: number;
}
