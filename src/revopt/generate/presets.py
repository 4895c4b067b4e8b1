"""Presets and knobs of the instance generator.

Every number the generator uses is a field of :class:`Preset` (a documented knob)
or a row of the sector / park-type tables in :mod:`.firms` and :mod:`.parks`.
``generate(preset, seed, **overrides)`` replaces fields by name, e.g.
``generate("small", n_firms=800, pairs=True)``. docs/generator.md lists each
figure with its source.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Preset:
    """Knobs of one generated instance (see docs/generator.md for the sources)."""

    name: str
    description: str
    # ---- size
    n_firms: int                      # firms in firms.csv (existing + new demand)
    n_plots: int                      # plots in plots.csv (all terrains)
    n_parks: int                      # terrains in terrains.csv
    # ---- geography: which real places anchor the parks, and what a region is
    place_filter: tuple[str, tuple[str, ...]] | None = None   # (province|region|name, values); None = all
    region_label: str = "region"      # terrains.region from the place's: name | region | province
    by_province: bool = False         # allocate parks to provinces by PROVINCE_PARKS (national)
    spread_km: float = 5.0            # s.d. of a park's centre around its place
    # ---- parks (data README: ~3,800 parks, ~80,000 ha net, median ~6 ha, net/gross ~0.8)
    park_median_ha: float = 5.0       # median net area before the park-type factor (overall median ~6 ha)
    park_sigma: float = 1.5           # lognormal sigma of the net area
    park_max_ha: float = 2500.0       # cap on a park's net area
    net_gross: float = 0.8            # net / gross area
    plots_area_exponent: float = 0.8  # plots per park ~ net area ** exponent (large parks: larger plots)
    plot_area_sigma: float = 0.5      # lognormal spread of plot areas within a park (sum = net area)
    coverage: tuple[float, float] = (0.5, 0.8)   # building coverage -> floor_capacity_m2 = area * coverage
    planned_share: float = 0.07       # parks that are planned (not developed yet)
    transform_share: float = 0.03     # parks to transform to housing (attempted; kept only if compensable)
    min_planned: int = 1
    min_transform: int = 1
    dev_cost_eur_m2: tuple[float, float] = (50.0, 150.0)       # development cost per m2 net (planned)
    intensify_share: float = 0.2      # existing plots with an intensification option
    intensify_extra: tuple[float, float] = (0.10, 0.30)        # extra floor as share of floor_capacity
    intensify_eur_m2: tuple[float, float] = (300.0, 700.0)     # cost per m2 of extra floor
    national_interest_min_ha: float = 150.0   # haven/zwaar parks at least this large are of national interest
    # ---- occupation and firms
    existing_share: float = 0.8       # firms with a current plot (rest: new demand)
    vacant_plot_share: float = 0.03   # existing plots without any firm of the instance
    occupancy: tuple[float, float] = (0.82, 0.98)  # floor of the present firms / floor_capacity of their plot
    must_place_existing: float = 0.06  # share of existing firms (not on transform parks) that must be placed
    must_place_new: float = 0.03      # share of new firms with a reserved plot that must be placed
    stay_share: float = 0.3           # existing firms that only look around their present plot ...
    stay_km: float = 2.0              # ... within this distance (their own park and its neighbours)
    move_km_factor: float = 1.0       # multiplies the max_move_km choices of the life stages (5-30 km)
    move_km_transform_min: float = 15.0   # firms on transform parks accept at least this move
    new_one_werkmilieu: bool = True   # new demand asks for one werkmilieu (that of its template plot)
    new_search_km: float = 25.0       # search radius of new demand around its home (pairs.csv presets)
    home_jitter_km: float = 2.0       # s.d. of a new firm's home around the plot it was modelled on
    # ---- pairs.csv (province and national)
    pairs: bool = False               # write pairs.csv (the firm's plots in reach passing the cheap rules)
    max_pairs_per_firm: int = 48      # shortlist length per firm (nearest first, jittered)
    grid_cell_km: float = 2.0         # bucket size of the spatial grid used to find plots in reach
    # ---- grid (data README: a HV/MV substation carries roughly 40-150 MW)
    parks_per_substation: float = 10.0
    substation_mw: tuple[float, float] = (40.0, 150.0)
    substation_load_share: float = 0.45  # more substations when the present load exceeds this share of ratings
    congested_share: float = 0.15     # substations with less available than the present load
    congested_factor: tuple[float, float] = (0.75, 0.95)
    spare_factor: tuple[float, float] = (1.1, 1.6)
    # ---- nitrogen (data README: AERIUS counts up to 25 km; 1 kg N = 71.4 mol)
    deposition_cutoff_km: float = 25.0
    deposition_share: float = 0.3     # share of emitted N deposited within the cut-off (kernel mass)
    deposition_length_km: float = 5.0  # e-folding length of the kernel
    tight_share: float = 0.2          # nature areas with less headroom than the present deposition
    tight_factor: tuple[float, float] = (0.7, 0.95)
    loose_factor: tuple[float, float] = (1.2, 2.0)
    # ---- manifest
    value_years: float = 10.0
    quay_misuse_eur_per_m2: float = 150.0
    category_misuse_eur_per_m2: float = 20.0
    compensation_ratio: float = 1.0
    compensation_radius_km: float = 15.0
    # ---- policy rules of spec section 9 (generate/policy.py; their own random stream)
    policy: bool = True               # False: exactly the instance without any policy rule
    cluster_radius_km: float = 8.0    # parks this close to one of the five industrial clusters belong to it
    claim_keep_industrieel: float = 0.95   # C9 minimum: share of a region's present industrieel capacity
    claim_keep_productie: float = 0.85     # C9 minimum: share of a region's present productie capacity
    lifecycle_keep: float = 0.6       # C10 minimum: share of the floor of a region's startups / scale-ups now
    noise_slack: tuple[float, float] = (0.9, 1.2)   # noise budget / present noise use of a zoned park
    hyperscale: bool = False          # new large data centres only near Eemshaven and Hollands Kroon
    hyperscale_radius_km: float = 15.0
    # ---- multimodal corridors of spec section 7 (generate/corridors.py; their own random stream)
    corridors: bool = False           # add corridor_nodes/edges, plot_access and firm freight (section 7)


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        name="tiny", description="three parks around Deventer (one planned, one to transform)",
        n_firms=12, n_plots=8, n_parks=3, place_filter=("name", ("Deventer",)), region_label="name",
        spread_km=2.0, park_max_ha=12.0, planned_share=0.34, transform_share=0.34,
        must_place_existing=0.3, must_place_new=0.0),
    "small": Preset(
        name="small", description="forty parks in Overijssel, its COROP regions as regions",
        n_firms=500, n_plots=300, n_parks=40, place_filter=("province", ("Overijssel",)), region_label="region",
        spread_km=3.0, park_max_ha=300.0, planned_share=0.08, transform_share=0.05, existing_share=0.85,
        corridors=True),
    "province": Preset(
        name="province", description="300 parks in Noord-Brabant, its four COROP regions as regions",
        n_firms=5_000, n_plots=3_000, n_parks=300, place_filter=("province", ("Noord-Brabant",)),
        region_label="region", spread_km=5.0, park_max_ha=1000.0, pairs=True, max_pairs_per_firm=40, corridors=True),
    "national": Preset(
        name="national", description="3,800 parks over the twelve provinces (provinces as regions)",
        n_firms=50_000, n_plots=40_000, n_parks=3_800, region_label="province", by_province=True,
        spread_km=5.0, pairs=True, max_pairs_per_firm=48, hyperscale=True, corridors=True),
}


def preset(name: str, **overrides) -> Preset:
    """A preset with some knobs replaced; unknown presets or knobs raise ValueError."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}")
    known = {f.name for f in fields(Preset)} - {"name"}
    bad = sorted(set(overrides) - known)
    if bad:
        raise ValueError(f"unknown generator knob(s) {', '.join(bad)}; known: {', '.join(sorted(known))}")
    p = replace(PRESETS[name], **overrides)
    if p.n_parks < 1 or p.n_plots < p.n_parks or p.n_firms < 1:
        raise ValueError("need n_parks >= 1, n_plots >= n_parks and n_firms >= 1")
    return p
