// Reads haresources: each line `HOMENODE resource resource ...` is one resource group.
// Resources: `IPaddr::IP[/PREFIX[/IFACE[/BROADCAST]]]`, the same with IPaddr2 or IPv6addr,
// a bare address (shorthand for IPaddr), or `script::arg1::arg2`.
import { Diagnostics } from './diagnostics';
import { continuedLines, splitWords, unreadableWords } from './text';
import { shown } from '../printable';
import { ipFamily, isInterfaceName, isScriptName } from './values';
import type { ResourceGroup, ResourceSpec, SourceLine, VipResource } from './types';

const VIP_AGENTS = ['IPaddr', 'IPaddr2', 'IPv6addr'] as const;
type VipAgent = (typeof VIP_AGENTS)[number];

function parseVip(raw: string, agent: VipAgent, spec: string, source: SourceLine, diag: Diagnostics): VipResource | undefined {
  const [address = '', prefix, iface, broadcast, ...extra] = spec.split('/');
  const family = ipFamily(address);
  const usage = `${agent}::ADDRESS[/PREFIX[/IFACE[/BROADCAST]]], e.g. ${agent === 'IPv6addr' ? 'IPv6addr::2001:db8::50/64/eth0' : `${agent}::192.0.2.50/24/eth0`}`;
  const problems: string[] = [];
  if (!family) problems.push(`"${shown(address)}" is not an IP address`);
  if (agent === 'IPv6addr' && family === 4) problems.push('IPv6addr takes an IPv6 address');
  if (extra.length > 0) problems.push('too many "/" parts');
  let prefixLength: number | undefined;
  if (prefix !== undefined && prefix !== '') {
    prefixLength = Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (!/^\d+$/.test(prefix) || prefixLength < 1 || prefixLength > max) problems.push(`prefix "/${shown(prefix)}" is not 1 to ${max}`);
  }
  if (iface !== undefined && iface !== '' && !isInterfaceName(iface)) problems.push(`"${shown(iface)}" is not an interface name`);
  if (broadcast !== undefined && broadcast !== '' && ipFamily(broadcast) !== 4) problems.push(`broadcast "${shown(broadcast)}" is not an IPv4 address`);
  if (broadcast && family === 6) problems.push('an IPv6 address has no broadcast');
  if (problems.length > 0 || !family) {
    diag.error(source, `${shown(raw)}: ${problems.join('; ')}; expected ${usage}`);
    return undefined;
  }
  return {
    kind: 'vip',
    raw,
    agent: agent === 'IPv6addr' ? 'IPaddr2' : agent,
    address,
    family,
    ...(prefixLength !== undefined ? { prefixLength } : {}),
    ...(iface ? { iface } : {}),
    ...(broadcast ? { broadcast } : {}),
  };
}

export function parseResource(raw: string, source: SourceLine, diag: Diagnostics): ResourceSpec | undefined {
  // A bare address first: an IPv6 address contains "::" and must not be read as script::arg.
  const bareAddress = raw.split('/')[0] ?? '';
  if (ipFamily(bareAddress)) return parseVip(raw, 'IPaddr', raw, source, diag);
  const separator = raw.indexOf('::');
  const name = separator >= 0 ? raw.slice(0, separator) : raw;
  const rest = separator >= 0 ? raw.slice(separator + 2) : undefined;
  if ((VIP_AGENTS as readonly string[]).includes(name)) {
    return parseVip(raw, name as VipAgent, rest ?? '', source, diag);
  }
  if (!isScriptName(name)) {
    diag.error(source, `resource "${shown(raw)}": "${shown(name)}" is not a script name (the name of a file in resource.d/ or /etc/init.d/: letters, digits and "_.@+-", without "/", not "." or "..")`);
    return undefined;
  }
  return { kind: 'script', raw, name, args: rest === undefined ? [] : rest.split('::') };
}

function resourceKey(r: ResourceSpec): string {
  return r.kind === 'vip' ? `vip ${r.address}` : `script ${r.raw}`;
}

/** `nodes`: the two node names from ha.cf (lower case), to check each group's home. */
export function parseHaresources(content: string, file: string, nodes: string[], diag: Diagnostics): ResourceGroup[] {
  const groups: ResourceGroup[] = [];
  const seen = new Map<string, SourceLine>();
  for (const { line, text } of continuedLines(content)) {
    const source = { file, line };
    const allWords = splitWords(text);
    const unreadable = unreadableWords(allWords);
    if (unreadable !== undefined) {
      diag.error(source, unreadable);
      continue;
    }
    const [homeWord = '', ...words] = allWords;
    const home = homeWord.toLowerCase();
    if (nodes.length > 0 && !nodes.includes(home)) {
      diag.error(source, `home node "${shown(homeWord)}" is not a node of ha.cf (nodes: ${nodes.join(', ')})`);
      continue;
    }
    if (words.length === 0) {
      diag.error(source, `${shown(homeWord)} has no resources; expected "${shown(homeWord)} 192.0.2.50 httpd"`);
      continue;
    }
    const resources: ResourceSpec[] = [];
    for (const word of words) {
      const resource = parseResource(word, source, diag);
      if (!resource) continue;
      const key = resourceKey(resource);
      const earlier = seen.get(key);
      if (earlier) {
        diag.error(source, `${shown(word)} is already in the group at line ${earlier.line}: a resource belongs to one group`);
        continue;
      }
      seen.set(key, source);
      resources.push(resource);
    }
    if (resources.length === words.length) groups.push({ id: words[0] ?? '', home, resources, source });
  }
  return groups;
}
