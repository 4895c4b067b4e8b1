"""Multimodal corridors (spec section 7): the network per mode, routes per candidate pair, accessibility.

- :mod:`.graph`: one NetworkX graph per mode (road, rail, water) from corridor_edges.csv;
- :mod:`.routes`: the cheapest route of every candidate pair (road pre-haul to an access
  node, then the shortest path over one main mode), one shortest-path tree per
  (destination, mode);
- :func:`accessibility`: per plot, the cheapest cost to each seaport or hub per mode.

This layer feeds the model (transport cost, C8 corridor capacity) and the results
(routes.csv, corridor loads, KPIs); it imports nothing from them.
"""

from .graph import MODE_CODE, MODE_PRIORITY, MODES, mode_graphs
from .routes import Paths, RouteFinder, accessibility, tariffs

__all__ = ["MODES", "MODE_CODE", "MODE_PRIORITY", "mode_graphs", "Paths", "RouteFinder", "accessibility",
           "tariffs"]
