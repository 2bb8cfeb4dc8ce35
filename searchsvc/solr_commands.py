"""`searchsvc solr`: a local SolrCloud cluster for development and tests."""
from __future__ import annotations

import click


@click.group()
def solr() -> None:
    """A local SolrCloud cluster for development and tests (needs Java 17 and Maven)."""


@solr.command("start")
@click.option("--nodes", type=click.IntRange(1, 9), default=3, show_default=True)
@click.option("--dir", "folder", type=click.Path(), required=True,
              help="Folder for the nodes' data, the log and cluster.json.")
def solr_start(nodes: int, folder: str) -> None:
    """Build the launcher if needed, start the cluster, return once every node answers."""
    from .backends.solr.cluster import ClusterError, start
    try:
        cluster = start(folder, nodes=nodes)
    except ClusterError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"SolrCloud with {nodes} nodes, ZooKeeper at {cluster['zk_host']}")
    click.echo(f"SEARCHSVC_SOLR_URL={','.join(cluster['solr_urls'])}")


@solr.command("stop")
@click.option("--dir", "folder", type=click.Path(), required=True)
def solr_stop(folder: str) -> None:
    """Stop the cluster started in a folder and wait for its JVM to exit."""
    from .backends.solr.cluster import ClusterError, stop
    try:
        stop(folder)
    except ClusterError as error:
        raise click.ClickException(str(error)) from None
    click.echo("stopped")


@solr.command("stop-node")
@click.option("--dir", "folder", type=click.Path(), required=True)
@click.option("--node", type=click.IntRange(min=0), required=True, help="Node number, from 0.")
def solr_stop_node(folder: str, node: int) -> None:
    """Stop one node of a running cluster (its data stays; `start-node` brings it back)."""
    _node_command(folder, node, start=False)


@solr.command("start-node")
@click.option("--dir", "folder", type=click.Path(), required=True)
@click.option("--node", type=click.IntRange(min=0), required=True, help="Node number, from 0.")
def solr_start_node(folder: str, node: int) -> None:
    """Start a stopped node again, on its old port with its old data."""
    _node_command(folder, node, start=True)


def _node_command(folder: str, node: int, start: bool) -> None:
    """Stop or start one node and print which nodes are running."""
    from .backends.solr import cluster
    try:
        state = (cluster.start_node if start else cluster.stop_node)(folder, node)
    except cluster.ClusterError as error:
        raise click.ClickException(str(error)) from None
    for number, (url, up) in enumerate(zip(state["solr_urls"], state["running"])):
        click.echo(f"node {number}: {url} {'running' if up else 'stopped'}")
