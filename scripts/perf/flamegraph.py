#!/usr/bin/env python3
"""Flame graphs from `perf script` output, standard library only.

Pipeline (record a running node for 20 s, then draw it):

    perf record -F 499 -g --call-graph dwarf,16384 -p PID -o perf.data -- sleep 20
    perf script -i perf.data | python3 scripts/perf/flamegraph.py collapse > x.folded
    python3 scripts/perf/flamegraph.py svg x.folded --title "node, ingest" > x.svg
    python3 scripts/perf/flamegraph.py top x.folded --n 30

Subcommands (FILE defaults to stdin; `-` means stdin too):

  collapse [FILE] [--keep-args] [--no-kernel-tag] [--event NAME|all]
      perf script text -> folded stacks, one line per distinct stack, sorted:
      `comm;root_frame;...;leaf_frame COUNT` (stackcollapse-perf.pl format). The
      thread name (comm) is the root. Streams its input; only the counts stay in
      memory. `+0x..` offsets are dropped; `[unknown]` frames name their DSO, e.g.
      `[unknown] (libsodium.so.23)`; `;` in a symbol becomes `:`. By default the
      last parameter list of a C++ name is dropped (`ns::C::f(int) const` ->
      `ns::C::f`) so frames stay readable; --keep-args keeps it. Kernel frames get
      a `_[k]` suffix (as stackcollapse-perf.pl --kernel) unless --no-kernel-tag.
      Only samples of the first event seen are counted (mixing e.g. cycles and
      cpu-clock would add apples to pears); --event picks another, or `all`.
      Unrecognised lines are skipped.

  svg [FILE] [--title TEXT] [--width 1200] [--min-width-px 0.1] [--highlight RE]
      folded stacks -> standalone SVG flame graph: root at the bottom, widths
      proportional to samples, children sorted by name. Colours: libraries warm
      (red..yellow), medtrail frames green, kernel blue, [unknown] grey, frames
      matching --highlight magenta. Hover for `NAME (N samples, P%)`; click a
      frame to zoom, click the background to reset (works without the script too).

  top [FILE] [--n 30]
      folded stacks -> text tables of the threads and of the frames with the
      largest inclusive share (once per stack, even when recursive) and self
      share (leaf), in % of all samples.
"""
import argparse
import functools
import hashlib
import io
import os
import re
import sys
from xml.sax.saxutils import escape

# A sample header: `comm  pid[/tid]  [cpu]  time:  period  event:`; comm may hold
# spaces, so the lookahead (a time or an event must follow the pid) anchors it.
HEADER_RE = re.compile(r"""^(?P<comm>\S.*?)\s+ (?P<pid>-?\d+)(?:/-?\d+)?\s+ (?:\[\d+\]\s+)?
    (?=\d+\.\d+:|(?:\d+\s+)?[A-Za-z]\S*:(?:\s|$))
    (?:\d+\.\d+:\s*)? (?:\d+\s+)? (?:(?P<event>[A-Za-z]\S*?):(?:\s|$))?""", re.X)
FRAME_RE = re.compile(r'^\s+[0-9a-fA-F]+\s+(?P<rest>.*?)\s*$')  # `\t  addr sym+0xoff (dso)`
OFFSET_RE = re.compile(r'\+0x[0-9a-fA-F]+$')
KERNEL_PREFIXES = ('entry_SYSCALL', '__x64_sys', '__sys_', 'do_syscall_64', '[kernel.kallsyms]',
                   'asm_sysvec', 'asm_exc', 'ret_from_fork', 'syscall_exit', 'exit_to_user_mode')
IDENT_CHARS = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_')
OPERATOR_TOKENS = ('<=>', '<<=', '>>=', '->*', '()', '[]', '<<', '>>', '<=', '>=', '==', '!=',
                   '&&', '||', '++', '--', '->', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
                   '<', '>', '+', '-', '*', '/', '%', '^', '&', '|', '~', '!', '=', ',')


# ---------------------------------------------------------------- collapse
def split_dso(rest):
    """`sym+0x1f (/lib/x.so)` -> (sym, dso); the DSO is the last balanced `(...)`
    after a space, so `(/x (deleted))` works and `f(int)` is not taken for one."""
    if not rest.endswith(')'):
        return rest, None
    depth = 0
    for i in range(len(rest) - 1, -1, -1):
        depth += {')': 1, '(': -1}.get(rest[i], 0)
        if depth == 0:
            if i > 0 and rest[i - 1] == ' ':
                return rest[:i - 1].rstrip(), rest[i + 1:-1]
            return rest, None
    return rest, None


def param_list_start(name):
    """Index of the last `(` outside <>, () and {} nesting, or -1. `operator()`,
    `operator<` etc. are skipped as tokens so their brackets do not count."""
    angle = paren = brace = 0
    last, i, n = -1, 0, len(name)
    while i < n:
        if (name.startswith('operator', i) and (i == 0 or name[i - 1] not in IDENT_CHARS)
                and (i + 8 == n or name[i + 8] not in IDENT_CHARS)):
            i += 8
            i += next((len(t) for t in OPERATOR_TOKENS if name.startswith(t, i)), 0)
            continue
        c = name[i]
        if c == '<':
            angle += 1
        elif c == '>' and name[i - 1] != '-':  # `->` in decltype() is no bracket
            angle = max(0, angle - 1)
        elif c in '{}':
            brace = max(0, brace + (1 if c == '{' else -1))
        elif c == '(':
            if angle == paren == brace == 0:
                last = i
            paren += 1
        elif c == ')':
            paren = max(0, paren - 1)
        i += 1
    return last


def strip_args(name):
    """`ns::C::f(int, std::string const&) const` -> `ns::C::f`; names without a
    trailing parameter list (`(anonymous namespace)::kTable`) are kept."""
    start = param_list_start(name)
    if start <= 0:
        return name
    depth, end = 0, len(name)
    for j in range(start, len(name)):
        depth += {'(': 1, ')': -1}.get(name[j], 0)
        if depth == 0:
            end = j
            break
    if '::' in name[end:]:  # that `(...)` was a scope, not the parameters
        return name
    return name[:start].rstrip() or name


def is_kernel_dso(dso):
    return dso.startswith('[kernel') or os.path.basename(dso).startswith('vmlinux')


@functools.lru_cache(maxsize=1 << 16)  # the same frame lines recur in most samples
def frame_name(rest, keep_args, kernel_tag):
    sym, dso = split_dso(rest)
    sym = OFFSET_RE.sub('', sym) or '[unknown]'
    if sym == '[unknown]':
        if dso and dso != '[unknown]':
            sym = f'[unknown] ({os.path.basename(dso)})'
    elif not keep_args:
        sym = strip_args(sym)
    if kernel_tag and dso and is_kernel_dso(dso):
        sym += '_[k]'
    return sym.replace(';', ':')


def collapse(lines, keep_args=False, kernel_tag=True, event='', warn=sys.stderr):
    """Stream perf script lines; return {folded stack: samples}."""
    counts, skipped = {}, {}
    comm, frames, wanted = None, [], event

    def flush():
        if comm is not None:
            key = ';'.join([comm] + frames[::-1])  # perf prints leaf first
            counts[key] = counts.get(key, 0) + 1

    for line in lines:
        blank = not line.strip()
        header = None if blank or line[0].isspace() else HEADER_RE.match(line)
        if blank or header:  # a header also ends a sample that lacks its blank line
            flush()
            comm, frames = None, []
        if header:
            ev = header['event'] or ''
            wanted = wanted or ev
            if wanted in ('all', ev):
                comm = header['comm'].strip().replace(';', ':')
            else:
                skipped[ev] = skipped.get(ev, 0) + 1
        elif comm is not None and (frame := FRAME_RE.match(line)):
            frames.append(frame_name(frame['rest'], keep_args, kernel_tag))
    flush()
    for ev, n in skipped.items():
        print(f'flamegraph: skipped {n} samples of event {ev!r} (counting {wanted!r}; '
              f'use --event)', file=warn)
    return counts


# ---------------------------------------------------------------- folded input
def read_folded(lines):
    """Yield (frames, count) from `a;b;c COUNT` lines; bad lines are skipped."""
    for line in lines:
        stack, _, count = line.rstrip('\n').rpartition(' ')
        if stack and count.isdigit() and int(count) > 0:
            yield stack.split(';'), int(count)


class Node:
    __slots__ = ('name', 'count', 'children')

    def __init__(self, name):
        self.name, self.count, self.children = name, 0, {}


def build_tree(stacks, highlight=None):
    """Merge stacks under an `all` root; also count samples whose stack has a
    frame matching `highlight`."""
    root, matched = Node('all'), 0
    for frames, count in stacks:
        node, root.count = root, root.count + count
        for name in frames:
            child = node.children.get(name)
            if child is None:
                child = node.children[name] = Node(name)
            child.count += count
            node = child
        if highlight and any(highlight.search(f) for f in frames):
            matched += count
    return root, matched


# ---------------------------------------------------------------- svg
FONT_PX, FRAME_H, PAD, TOP = 12, 16, 10, 60
CHAR_W = 0.6 * FONT_PX  # monospace advance, so label truncation is exact


def label(name, width_px):
    """The text that fits the rectangle, `..`-truncated; none under 3 characters."""
    fits = int((width_px - 6) / CHAR_W)
    return '' if fits < 3 else name if len(name) <= fits else name[:fits - 2] + '..'


def colour(name, highlight):
    if highlight and highlight.search(name):
        return 'rgb(230,0,230)'
    v1, v2, v3 = (b / 255 for b in hashlib.md5(name.encode()).digest()[:3])
    if name == 'all' or name.startswith('[unknown]') and '[kernel' not in name:
        return 'rgb({0},{0},{1})'.format(int(160 + 50 * v1), int(165 + 50 * v1))
    if name.endswith('_[k]') or name.startswith(KERNEL_PREFIXES):
        return f'rgb({int(60 + 50 * v1)},{int(140 + 50 * v2)},{int(200 + 50 * v3)})'
    if 'medtrail' in name.lower():
        return f'rgb({int(50 + 70 * v1)},{int(170 + 60 * v2)},{int(50 + 60 * v3)})'
    return f'rgb({int(205 + 50 * v1)},{int(230 * v2)},{int(55 * v3)})'  # flamegraph.pl "hot"


def xml_text(s):
    s = re.sub(r'[\x00-\x08\x0b\x0c\x0e-\x1f]', '?', s)  # not allowed in XML 1.0 at all
    return escape(s, {'"': '&quot;'})


ZOOM_JS = """
var W=%(width)d,P=%(pad)d,CW=%(char_w)s;
var fr=[].map.call(document.querySelectorAll('g.f'),function(g){var r=g.querySelector('rect');
 return {g:g,r:r,t:g.querySelector('text'),x:+r.getAttribute('x'),w:+r.getAttribute('width'),
  y:+r.getAttribute('y'),
  n:g.querySelector('title').textContent.replace(/ \\([0-9]+ samples?, [^)]*\\)$/,'')};});
function label(n,w){var c=Math.floor((w-6)/CW);return c<3?'':n.length<=c?n:n.slice(0,c-2)+'..';}
function show(f,x,w,op){f.g.style.display='';f.g.style.opacity=op;f.r.setAttribute('x',x);
 f.r.setAttribute('width',w);f.t.setAttribute('x',x+3);f.t.textContent=label(f.n,w);}
function zoom(z){var s=(W-2*P)/z.w,e=1e-6;fr.forEach(function(f){
 if(f.y>z.y&&f.x<=z.x+e&&f.x+f.w>=z.x+z.w-e)show(f,P,W-2*P,0.6);
 else if(f.y<=z.y&&f.x>=z.x-e&&f.x+f.w<=z.x+z.w+e)show(f,P+(f.x-z.x)*s,f.w*s,1);
 else f.g.style.display='none';});}
document.addEventListener('click',function(ev){var g=ev.target.closest&&ev.target.closest('g.f');
 var z=g&&fr.filter(function(f){return f.g===g;})[0];
 if(z)zoom(z);else fr.forEach(function(f){show(f,f.x,f.w,1);});});
"""


def layout(root, width, min_width_px):
    """Yield (node, x, depth, width_px) for every frame wide enough to draw."""
    scale = (width - 2 * PAD) / root.count
    todo = [(root, PAD, 0)]
    while todo:
        node, x, depth = todo.pop()
        yield node, x, depth, node.count * scale
        for name in sorted(node.children):  # alphabetical, like flamegraph.pl
            child = node.children[name]
            w = child.count * scale
            if w >= min_width_px:  # narrow ones are dropped but still counted in node
                todo.append((child, x, depth + 1))
            x += w


def render_svg(root, title, width, min_width_px, highlight, matched):
    frames = list(layout(root, width, min_width_px))
    height = TOP + (max(d for _, _, d, _ in frames) + 1) * FRAME_H + PAD
    total = root.count
    sub = (f'{total} samples. Colours: medtrail green, libraries warm, kernel blue, unknown grey.'
           ' Click to zoom, click background to reset.')
    if highlight:
        sub += f' Highlight /{highlight.pattern}/: {matched} samples ({100 * matched / total:.2f}%).'
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
           f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" font-family="monospace" '
           f'font-size="{FONT_PX}">\n<style>g.f:hover rect{{stroke:black;stroke-width:0.5}} '
           f'g.f{{cursor:pointer}}</style>\n'
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="rgb(248,248,240)"/>\n'
           f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="17">{xml_text(title)}</text>\n'
           f'<text x="{width / 2}" y="44" text-anchor="middle" fill="rgb(90,90,90)">{xml_text(sub)}</text>\n']
    for node, x, depth, w in frames:
        y = height - PAD - (depth + 1) * FRAME_H
        name = xml_text(node.name)
        plural = '' if node.count == 1 else 's'
        fill, text = colour(node.name, highlight), xml_text(label(node.name, w))
        out.append(f'<g class="f"><title>{name} ({node.count} sample{plural}, '
                   f'{100 * node.count / total:.2f}%)</title><rect x="{x:.2f}" y="{y}" '
                   f'width="{w:.2f}" height="{FRAME_H - 1}" rx="2" fill="{fill}"/>'
                   f'<text x="{x + 3:.2f}" y="{y + FRAME_H - 4}">{text}</text></g>\n')
    js = ZOOM_JS % {'width': width, 'pad': PAD, 'char_w': CHAR_W}
    out.append(f'<script type="text/ecmascript"><![CDATA[{js}]]></script>\n</svg>\n')
    return ''.join(out)


# ---------------------------------------------------------------- top
def top_tables(stacks, n):
    threads, inclusive, self_, total = {}, {}, {}, 0
    for frames, count in stacks:
        total += count
        threads[frames[0]] = threads.get(frames[0], 0) + count
        for name in set(frames[1:]):  # once per stack, even when recursive
            inclusive[name] = inclusive.get(name, 0) + count
        if len(frames) > 1:
            self_[frames[-1]] = self_.get(frames[-1], 0) + count
    lines = [f'{total} samples']
    for heading, table in (('threads', threads), ('inclusive', inclusive), ('self', self_)):
        lines.append(f'\n{heading:>9}  {"samples":>9}  frame')
        for name, count in sorted(table.items(), key=lambda kv: (-kv[1], kv[0]))[:n]:
            lines.append(f'{100 * count / max(total, 1):8.2f}%  {count:9d}  {name}')
    return '\n'.join(lines) + '\n'


# ---------------------------------------------------------------- command line
def open_input(path):
    if path == '-':
        return io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8', errors='replace')
    return open(path, encoding='utf-8', errors='replace')


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('collapse', help='perf script text -> folded stacks')
    c.add_argument('--keep-args', action='store_true', help='keep C++ parameter lists')
    c.add_argument('--no-kernel-tag', action='store_true', help='no _[k] suffix on kernel frames')
    c.add_argument('--event', default='', help='event to count (default: first seen), or all')
    s = sub.add_parser('svg', help='folded stacks -> SVG flame graph')
    s.add_argument('--title', default='Flame graph')
    s.add_argument('--width', type=int, default=1200)
    s.add_argument('--min-width-px', type=float, default=0.1)
    s.add_argument('--highlight', type=re.compile, help='regex; matching frames are magenta')
    t = sub.add_parser('top', help='folded stacks -> inclusive/self tables')
    t.add_argument('--n', type=int, default=30)
    for q in (c, s, t):
        q.add_argument('file', nargs='?', default='-', help='input file, - for stdin (default)')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sys.stdout.reconfigure(encoding='utf-8', errors='replace')  # the SVG says UTF-8
    with open_input(args.file) as f:
        if args.cmd == 'collapse':
            counts = collapse(f, args.keep_args, not args.no_kernel_tag, args.event)
            sys.stdout.writelines(f'{k} {v}\n' for k, v in sorted(counts.items()))
        elif args.cmd == 'svg':
            root, matched = build_tree(read_folded(f), args.highlight)
            if root.count == 0:
                sys.exit('flamegraph: no stacks in the input')
            sys.stdout.write(render_svg(root, args.title, args.width, args.min_width_px,
                                        args.highlight, matched))
        else:
            sys.stdout.write(top_tables(read_folded(f), args.n))


if __name__ == '__main__':
    try:
        main()
    except BrokenPipeError:  # `... | head` closed the pipe; no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as e:  # unreadable input: one line, not a traceback
        sys.exit(f'flamegraph: {e}')
