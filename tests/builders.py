"""Small hand-built instances for rule tests: defaults that stay out of the way."""

from __future__ import annotations

import pandas as pd

from revopt.data import Instance

PLOT = dict(terrain_id="T", x=0.0, y=0.0, area_m2=100.0, floor_capacity_m2=100.0, max_category="6",
            quay=False, substation_id="S", werkmilieus="productie", current_werkmilieu="",
            intensify_extra_m2=0.0, intensify_cost_eur=0.0)
FIRM = dict(floor_space_m2=100.0, value_added_eur=100.0, category="1", water_bound=False, grid_mw=0.0,
            nitrogen_kg=0.0, werkmilieus="productie", current_plot="", relocation_cost_eur=0.0,
            max_move_km="", must_place=False, lifecycle="mkb")


def make(firms: list[dict], plots: list[dict], *, terrains: list[dict] | None = None,
         substations: list[dict] | None = None, areas: list[dict] | None = None,
         deposition: list[dict] | None = None, pairs: list[dict] | None = None,
         claims: list[dict] | None = None, lifecycle_targets: list[dict] | None = None,
         restrictions: list[dict] | None = None, params: dict | None = None,
         nodes: list[dict] | None = None, edges: list[dict] | None = None,
         access: list[dict] | None = None) -> Instance:
    """An Instance from lists of row dicts; value_years defaults to 1 for easy sums.

    ``nodes``, ``edges`` and ``access`` are the corridor tables (spec section 7): rows of
    corridor_nodes.csv, corridor_edges.csv and plot_access.csv (missing cells default).
    """
    terrains = terrains or [dict(terrain_id="T", status="existing")]
    substations = substations or [dict(substation_id="S", available_mw=1000.0)]
    p = {"objective": {"value_years": 1.0}}
    for sec, body in (params or {}).items():
        p.setdefault(sec, {}).update(body)
    return Instance.from_frames(
        terrains=pd.DataFrame(terrains),
        plots=pd.DataFrame([{**PLOT, **r} for r in plots]),
        firms=pd.DataFrame([{**FIRM, **r} for r in firms]),
        substations=pd.DataFrame(substations),
        nature_areas=pd.DataFrame(areas) if areas else None,
        deposition=pd.DataFrame(deposition) if deposition else None,
        pairs=pd.DataFrame(pairs) if pairs else None,
        claims=pd.DataFrame(claims) if claims is not None else None,
        lifecycle_targets=pd.DataFrame(lifecycle_targets) if lifecycle_targets is not None else None,
        restrictions=pd.DataFrame(restrictions) if restrictions is not None else None,
        corridor_nodes=pd.DataFrame(nodes, columns=["node_id", "x", "y", "kind"]) if nodes is not None else None,
        corridor_edges=(pd.DataFrame(edges, columns=["edge_id", "u", "v", "mode", "length_km", "capacity_kt"])
                        if edges is not None else None),
        plot_access=(pd.DataFrame(access, columns=["plot_id", "node_id", "mode", "access_km"])
                     if access is not None else None),
        params=p, name="test")
