"""The SolrCloud backend: the contract of ``searchsvc.backends.contract`` over Solr's HTTP API."""
