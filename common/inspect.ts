/** Shapes returned by the inspect endpoints (server/inspect/router.ts), shared by server and page. */
export interface SocketRow {
  proto: string;
  state: string;
  /** Local address as ss prints it without the port (`0.0.0.0`, `[::]`, `*`, `127.0.0.53%lo`). */
  local: string;
  port: number | null;
  /** Command names of the owning processes (comma-separated), or null when ss could not tell. */
  process: string | null;
  /** First owning PID, or null. */
  pid: number | null;
}

export interface SocketsResponse {
  namespace: string;
  sockets: SocketRow[];
}

export interface FirewallResponse {
  namespace: string;
  /** `none`: neither nft nor iptables-save is installed (`text` says so). */
  tool: 'nft' | 'iptables' | 'none';
  /** Human-readable ruleset (`nft list ruleset` or `iptables-save`), or why there is none. */
  text: string;
  /** `nft -j list ruleset` parsed, when nft is the tool. */
  json: unknown;
  /** Number of rules found (0 means an empty firewall). */
  rules: number;
}
