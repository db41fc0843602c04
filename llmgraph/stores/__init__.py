"""Store backends beyond the in-memory default: on-disk Oxigraph, remote SPARQL, and helpers.

- :mod:`llmgraph.stores.oxigraph`: :class:`StoredGraph`, a persistent embedded store with
  atomic imports and a persisted lineage index;
- :mod:`llmgraph.stores.remote`: :class:`RemoteGraph`, any SPARQL 1.1 endpoint;
- :mod:`llmgraph.stores.index`: :class:`LineageIndex`, the compact CSR lineage index;
- :mod:`llmgraph.stores.bulk`: Hugging Face Hub ``ModelInfo`` JSON lines → triples;
- :mod:`llmgraph.stores.table`: the whole-graph roots / depth / licence-chain table;
- :mod:`llmgraph.stores.paths`: shortest lineage paths over the index.

Open them through :meth:`llmgraph.LineageGraph.open` and :meth:`llmgraph.LineageGraph.connect`;
nothing here is imported by ``import llmgraph``, so the in-memory default stays light.
"""
