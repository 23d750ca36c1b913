"""`supportmatch kafka`: fetch, start, stop and inspect Apache Kafka on this machine under var/kafka/."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from supportmatch_core.apache_kafka import ApacheKafka, consecutive_ports
from supportmatch_core.kafka_jars import KafkaStartError, fetch
from supportmatch_core.paths import var_dir

app = typer.Typer(help="Apache Kafka (KRaft, from Maven Central's jars) on 127.0.0.1.")

DEFAULT_PORT = 9092

Nodes = Annotated[int, typer.Option(min=1, max=9, help="nodes, each broker and controller")]
Port = Annotated[int, typer.Option(help="first node's client port; node i uses port+2i, +2i+1")]


def local_cluster(nodes: int = 1, port: int = DEFAULT_PORT) -> ApacheKafka:
    """The local cluster of `nodes` nodes: data in var/kafka/<n>-node, logs in var/log/kafka/."""
    name = f"{nodes}-node"
    return ApacheKafka(
        var_dir() / "kafka" / name,
        ports=consecutive_ports(port, nodes),
        logs=var_dir() / "log" / "kafka" / name,
    )


def _formatted() -> list[ApacheKafka]:
    return [
        ApacheKafka.existing(home, logs=var_dir() / "log" / "kafka" / home.name)
        for home in sorted((var_dir() / "kafka").glob("*-node"))
    ]


def _say(text: str) -> None:
    typer.echo(f"kafka: {text}", err=True)


@app.command("fetch")
def fetch_command() -> None:
    """Copy Kafka's jars from Maven Central into the cache (once); print their folder."""
    started = time.monotonic()
    try:
        typer.echo(fetch())
    except KafkaStartError as error:
        _say(str(error))
        raise typer.Exit(1) from error
    _say(f"jars ready in {time.monotonic() - started:.1f} s")


@app.command()
def start(nodes: Nodes = 1, port: Port = DEFAULT_PORT) -> None:
    """Start the local cluster in the background (formatting it on first use); print its address."""
    cluster = local_cluster(nodes, port)
    started = time.monotonic()
    try:
        cluster.start()
    except KafkaStartError as error:
        _say(str(error))
        cluster.stop()
        raise typer.Exit(1) from error
    _say(
        f"{nodes} node(s) answering after {time.monotonic() - started:.1f} s; "
        f"data in {cluster.home}, logs in {cluster.nodes[0].logs.parent}"
    )
    typer.echo(cluster.bootstrap_servers)


@app.command()
def stop() -> None:
    """Stop every local cluster that runs (their data stays in var/kafka/)."""
    for cluster in _formatted():
        if cluster.running():
            cluster.stop()
            _say(f"stopped {cluster.home.name} ({cluster.bootstrap_servers})")


@app.command()
def status() -> None:
    """Say which local nodes run; exit 3 when none does."""
    up = 0
    for cluster in _formatted():
        for node in cluster.nodes:
            pid = node.pid()
            up += pid is not None
            state = f"running (pid {pid})" if pid else "stopped"
            typer.echo(f"{cluster.home.name} node {node.node_id} 127.0.0.1:{node.port} {state}")
    if not up:
        raise typer.Exit(3)
