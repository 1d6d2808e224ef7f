"""Time-respecting reachability (the poison policy without labels) with NetworkX: what an analyst
would write instead of heistguard's engine. Edges CSV: seq,src,dst,token (sorted by seq); thefts
file: one tx sequence range per line "first_seq,last_seq" of the theft transactions' transfers.
Prints one JSON line: tainted (address, token) count, load and trace seconds."""
import csv, heapq, json, sys, time

edges_path, thefts_path = sys.argv[1], sys.argv[2]
import networkx as nx

t0 = time.time()
G = nx.MultiDiGraph()
with open(edges_path) as f:
    r = csv.reader(f)
    next(r)
    for seq, src, dst, token in r:
        G.add_edge(src + '|' + token, dst + '|' + token, seq=int(seq))
t1 = time.time()
theft = []
with open(thefts_path) as f:
    for line in f:
        if line.strip():
            seq, dst = line.strip().split(',', 1)
            theft.append((int(seq), dst))
# Earliest-arrival search: a node infected at time s infects, through every later edge, its target.
infected = {}
heap = []
for seq, node in theft:
    if node not in infected or seq < infected[node]:
        infected[node] = seq
        heapq.heappush(heap, (seq, node))
while heap:
    s, node = heapq.heappop(heap)
    if infected.get(node) != s:
        continue
    for _, dst, data in G.out_edges(node, data=True):
        q = data['seq']
        if q > s and (dst not in infected or q < infected[dst]):
            infected[dst] = q
            heapq.heappush(heap, (q, dst))
t2 = time.time()
print(json.dumps({'tainted': len(infected), 'load_s': t1 - t0, 'trace_s': t2 - t1, 'nodes': G.number_of_nodes(), 'edges': G.number_of_edges()}))
