"""The Dutch freight backbone behind the generated corridor networks (spec section 7), embedded.

Three tables, kept as plain data so that the generator needs no data files
(the tests compare them with ``shared/data`` where that folder is present):

- :data:`NODES`: seaports, inland ports, rail terminals, hubs and the junctions
  where waterways or rail lines meet. Each node carries its UN/LOCODE where the
  place has one (``unlocode_nl.csv``, datasets/un-locode 2014, ODC PDDL). The
  coordinates are the file's where it gives sane ones (``source = "unlocode"``);
  the file lacks coordinates for most large places (Amsterdam, Moerdijk,
  Vlissingen, Nijmegen, ...) and its port flag misses inland ports such as
  Nijmegen, Venlo, Tiel, Almelo, Goor and Enschede, so those coordinates are
  filled in by hand: approximate WGS84 centres of the port or terminal area
  (``source = "filled"``, a few hundred metres to a kilometre off). Whether a
  node offers rail or water access (a terminal where freight is loaded) is
  our reading of the public terminal maps, not a field of the file.
- :data:`WATERWAYS`: the main inland waterway corridors as chains of nodes,
  each with the RWS ship class of the largest ship it admits and the loaded
  passages a year it can take (``None`` for sea fairways: unbounded).
- :data:`RAIL_LINES`: the main freight lines (Havenspoorlijn, Betuweroute,
  Brabantroute, the eastern and northern lines, ...) as chains of nodes, each
  with freight train paths a day (both directions together).

:data:`SHIP_LOAD_T` is the average load (tonnes) of each RWS ship class from
``rws_cemt_shiptypes_dtv.csv`` (Deltares-research/digitaltwin-waterway,
``DTV_shiptypes_database.json``, MIT). docs/generator.md ("Corridor
networks") explains the figures.
"""

from __future__ import annotations

# node_id, name, UN/LOCODE ("" = none), kind, lat, lon, rail access, water access, coordinate source
NODES: tuple[tuple[str, str, str, str, float, float, bool, bool, str], ...] = (
    # ---- seaports
    ("NLMSV", "Maasvlakte", "NL MSV", "seaport", 51.955, 4.030, True, True, "filled"),
    ("NLBOT", "Botlek", "NL BOT", "seaport", 51.8833, 4.2833, True, True, "unlocode"),
    ("NLRTM", "Rotterdam (Waalhaven/Eemhaven)", "NL RTM", "seaport", 51.9167, 4.5, True, True, "unlocode"),
    ("NLDOR", "Dordrecht", "NL DOR", "seaport", 51.815, 4.670, False, True, "filled"),
    ("NLMOE", "Moerdijk", "NL MOE", "seaport", 51.683, 4.600, True, True, "filled"),
    ("NLAMS", "Amsterdam (Westpoort)", "NL AMS", "seaport", 52.410, 4.800, True, True, "filled"),
    ("NLIJM", "IJmuiden/Velsen", "NL IJM", "seaport", 52.4667, 4.6, False, True, "unlocode"),
    ("NLVLI", "Vlissingen (Sloegebied)", "NL VLI", "seaport", 51.450, 3.680, True, True, "filled"),
    ("NLTNZ", "Terneuzen", "NL TNZ", "seaport", 51.336, 3.828, False, True, "filled"),
    ("NLDZL", "Delfzijl", "NL DZL", "seaport", 53.330, 6.918, True, True, "filled"),
    ("NLEEM", "Eemshaven", "NL EEM", "seaport", 53.440, 6.830, True, True, "filled"),
    ("NLHAR", "Harlingen", "NL HAR", "seaport", 53.175, 5.421, False, True, "filled"),
    ("NLDHR", "Den Helder", "NL DHR", "seaport", 52.958, 4.760, False, True, "filled"),
    # ---- inland ports
    ("NLABL", "Alblasserdam", "NL ABL", "inland_port", 51.865, 4.660, False, True, "filled"),
    ("NLGOR", "Gorinchem", "NL GOR", "inland_port", 51.834, 4.973, False, True, "filled"),
    ("NLTIE", "Tiel", "NL TIE", "inland_port", 51.887, 5.430, False, True, "filled"),
    ("NLNIJ", "Nijmegen", "NL NIJ", "inland_port", 51.848, 5.825, False, True, "filled"),
    ("NLARN", "Arnhem", "NL ARN", "inland_port", 51.975, 5.925, False, True, "filled"),
    ("NLDOE", "Doesburg", "NL DOE", "inland_port", 52.012, 6.140, False, True, "filled"),
    ("NLZUT", "Zutphen", "NL ZUT", "inland_port", 52.139, 6.196, False, True, "filled"),
    ("NLDEV", "Deventer", "NL DEV", "inland_port", 52.255, 6.163, False, True, "filled"),
    ("NLKAM", "Kampen", "NL KAM", "inland_port", 52.555, 5.911, False, True, "filled"),
    ("NLZWO", "Zwolle", "NL ZWO", "inland_port", 52.512, 6.094, False, True, "filled"),
    ("NLMEP", "Meppel", "NL MEP", "inland_port", 52.696, 6.194, False, True, "filled"),
    ("NLGOO", "Goor", "NL GOO", "inland_port", 52.231, 6.585, False, True, "filled"),
    ("NLHGL", "Hengelo (CTT)", "NL HGL", "inland_port", 52.270, 6.780, True, True, "filled"),
    ("NLALM", "Almelo", "NL ALM", "inland_port", 52.357, 6.663, True, True, "filled"),
    ("NLENS", "Enschede", "NL ENS", "inland_port", 52.230, 6.870, False, True, "filled"),
    ("NLLEY", "Lelystad (Flevokust)", "NL LEY", "inland_port", 52.518, 5.471, False, True, "filled"),
    ("NLGRQ", "Groningen", "NL GRQ", "inland_port", 53.219, 6.567, False, True, "filled"),
    ("NLVDM", "Veendam", "NL VDM", "inland_port", 53.107, 6.877, True, True, "filled"),
    ("NLLWR", "Leeuwarden", "NL LWR", "inland_port", 53.201, 5.799, False, True, "filled"),
    ("NLSNK", "Sneek", "NL SNK", "inland_port", 53.033, 5.660, False, True, "filled"),
    ("NLUTC", "Utrecht (Lage Weide)", "NL UTC", "inland_port", 52.100, 5.070, False, True, "filled"),
    ("NLAPN", "Alphen aan den Rijn", "NL APN", "inland_port", 52.129, 4.656, False, True, "filled"),
    ("NLOOS", "Oosterhout", "NL OOS", "inland_port", 51.65, 4.8833, False, True, "unlocode"),
    ("NLTLB", "Tilburg", "NL TLB", "inland_port", 51.575, 5.060, True, True, "filled"),
    ("NLBZM", "Bergen op Zoom", "NL BZM", "inland_port", 51.5, 4.3, False, True, "unlocode"),
    ("NLHTB", "'s-Hertogenbosch", "NL HTB", "inland_port", 51.7, 5.3167, False, True, "unlocode"),
    ("NLOSS", "Oss", "NL OSS", "inland_port", 51.775, 5.520, False, True, "filled"),
    ("NLVEG", "Veghel", "NL VEG", "inland_port", 51.617, 5.549, False, True, "filled"),
    ("NLHLM", "Helmond", "NL HLM", "inland_port", 51.4833, 5.6667, False, True, "unlocode"),
    ("NLEIN", "Eindhoven (Beatrixkanaal)", "NL EIN", "inland_port", 51.460, 5.430, False, True, "filled"),
    ("NLWRT", "Weert", "NL WRT", "inland_port", 51.252, 5.707, False, True, "filled"),
    ("NLVEN", "Venlo", "NL VEN", "inland_port", 51.370, 6.172, True, True, "filled"),
    ("NLWAS", "Wanssum", "NL WAS", "inland_port", 51.5333, 6.0833, False, True, "unlocode"),
    ("NLOMD", "Roermond", "NL OMD", "inland_port", 51.194, 5.987, False, True, "filled"),
    ("NLMSB", "Maasbracht", "NL MSB", "inland_port", 51.147, 5.890, False, True, "filled"),
    ("NLBON", "Born", "NL BON", "inland_port", 51.030, 5.810, False, True, "filled"),
    ("NLSTI", "Stein (Chemelot)", "NL STI", "inland_port", 50.970, 5.770, True, True, "filled"),
    ("NLMST", "Maastricht", "NL MST", "inland_port", 50.851, 5.691, False, True, "filled"),
    # ---- rail terminals
    ("NLROO", "Roosendaal", "NL ROO", "rail_terminal", 51.531, 4.465, True, False, "filled"),
    ("X-valburg", "Valburg (CUV)", "", "rail_terminal", 51.910, 5.780, True, False, "filled"),
    ("NLCOE", "Coevorden (Europark)", "NL COE", "rail_terminal", 52.661, 6.741, True, False, "filled"),
    # ---- hubs (logistics and border hubs; destinations of distribution flows)
    ("NLTKM", "Tolkamer (Lobith, Rhine border)", "NL TKM", "hub", 51.85, 6.1, False, True, "unlocode"),
    ("NLZEV", "Zevenaar (Betuweroute border)", "NL ZEV", "hub", 51.930, 6.070, True, False, "filled"),
    ("NLOLZ", "Oldenzaal (rail border)", "NL OLZ", "hub", 52.313, 6.929, False, False, "filled"),
    ("NLHZK", "Hazeldonk (road border)", "NL HZK", "hub", 51.5, 4.7333, False, False, "unlocode"),
    ("NLWLK", "Waalwijk", "NL WLK", "hub", 51.683, 5.070, False, False, "filled"),
    ("NLVNR", "Venray", "NL VNR", "hub", 51.526, 5.975, False, False, "filled"),
    ("NLAPE", "Apeldoorn", "NL APE", "hub", 52.211, 5.969, False, False, "filled"),
    ("NLBRD", "Breda", "NL BRD", "hub", 51.589, 4.776, False, False, "filled"),
    # ---- junctions of waterways and rail lines (no loading)
    ("NLZWI", "Kijfhoek (Zwijndrecht)", "NL ZWI", "junction", 51.830, 4.600, False, False, "filled"),
    ("NLLZA", "Lage Zwaluwe", "NL LZA", "junction", 51.7167, 4.7333, False, False, "unlocode"),
    ("NLAME", "Amersfoort", "NL AME", "junction", 52.15, 5.3833, False, False, "unlocode"),
    ("X-marienberg", "Marienberg", "", "junction", 52.510, 6.580, False, False, "filled"),
    ("NLGTB", "Geertruidenberg (Amer)", "NL GTB", "junction", 51.700, 4.860, False, False, "filled"),
    ("NLVKR", "Volkerak", "NL VKR", "junction", 51.6667, 4.2833, False, False, "unlocode"),
    ("NLRLA", "Rilland (Kreekrak)", "NL RLA", "junction", 51.4167, 4.1833, False, False, "unlocode"),
    ("NLMLR", "Millingen (Pannerdensche Kop)", "NL MLR", "junction", 51.8667, 6.05, False, False, "unlocode"),
    ("NLEFE", "Eefde (IJssel - Twentekanaal)", "NL EFE", "junction", 52.1667, 6.2333, False, False, "unlocode"),
    ("X-wiene", "Wiene (Twentekanaal - Zijkanaal Almelo)", "", "junction", 52.258, 6.660, False, False, "filled"),
    ("NLKHV", "Ketelhaven (Ketelmeer)", "NL KHV", "junction", 52.5833, 5.75, False, False, "unlocode"),
    ("NLLMR", "Lemmer", "NL LMR", "junction", 52.845, 5.710, False, False, "filled"),
    ("X-grou", "Grou (Prinses Margrietkanaal)", "", "junction", 53.095, 5.835, False, False, "filled"),
    ("NLWBD", "Wijk bij Duurstede (Amsterdam-Rijnkanaal - Lek)", "NL WBD", "junction", 51.975, 5.340, False, False,
     "filled"),
    ("NLHUM", "Heumen (Maas-Waalkanaal)", "NL HUM", "junction", 51.7667, 5.85, False, False, "unlocode"),
    ("NLNRW", "Nederweert", "NL NRW", "junction", 51.285, 5.750, False, False, "filled"),
    ("NLBST", "Best (Wilhelminakanaal - Beatrixkanaal)", "NL BST", "junction", 51.510, 5.390, False, False, "filled"),
)

# name, RWS class of the largest ship (SHIP_LOAD_T key), loaded passages a year (None: sea
# fairway, unbounded), chain of node ids
WATERWAYS: tuple[tuple[str, str, int | None, tuple[str, ...]], ...] = (
    ("Maasvlakte - Nieuwe Waterweg (sea fairway)", "BII-6L", None, ("NLMSV", "NLBOT", "NLRTM")),
    ("Noordzeekanaal (sea fairway)", "BII-6L", None, ("NLIJM", "NLAMS")),
    ("Eems (sea fairway)", "BII-6L", None, ("NLDZL", "NLEEM")),
    ("Westerschelde (sea fairway)", "BII-6L", None, ("NLVLI", "NLTNZ")),
    ("Nieuwe Maas - Noord - Merwede - Waal", "BII-6L", 60_000,
     ("NLRTM", "NLABL", "NLGOR", "NLTIE", "NLNIJ", "NLMLR", "NLTKM")),
    ("Noord - Dordrecht", "BII-4", 40_000, ("NLABL", "NLDOR")),
    ("Dordtsche Kil - Hollands Diep - Amer", "BII-4", 40_000, ("NLDOR", "NLMOE", "NLGTB")),
    ("Nieuwe Merwede - Amer", "BII-4", 30_000, ("NLGOR", "NLGTB")),
    ("Hollands Diep - Volkerak - Schelde-Rijnverbinding", "C4", 40_000,
     ("NLMOE", "NLVKR", "NLBZM", "NLRLA", "NLVLI")),
    ("Schelde-Rijnverbinding - Terneuzen", "C4", 30_000, ("NLRLA", "NLTNZ")),
    ("Amsterdam-Rijnkanaal", "BII-4", 40_000, ("NLAMS", "NLUTC", "NLWBD", "NLTIE")),
    ("Lek", "M12", 30_000, ("NLWBD", "NLRTM")),
    ("Nederrijn - Pannerdensch Kanaal", "M9", 25_000, ("NLWBD", "NLARN", "NLMLR")),
    ("IJssel", "M8", 20_000, ("NLARN", "NLDOE", "NLZUT", "NLEFE", "NLDEV", "NLZWO", "NLKAM", "NLKHV")),
    ("Zwarte Water - Meppelerdiep", "M6", 8_000, ("NLZWO", "NLMEP")),
    ("IJsselmeer - Markermeer", "M9", 20_000, ("NLKHV", "NLLEY", "NLAMS")),
    ("IJsselmeer - Lemmer", "M9", 15_000, ("NLKHV", "NLLMR")),
    ("Prinses Margrietkanaal - Van Starkenborghkanaal", "M9", 15_000, ("NLLMR", "NLSNK", "X-grou", "NLGRQ")),
    ("Eemskanaal", "M9", 15_000, ("NLGRQ", "NLDZL")),
    ("Van Harinxmakanaal", "M8", 8_000, ("X-grou", "NLLWR", "NLHAR")),
    ("Winschoterdiep - A.G. Wildervanckkanaal", "M6", 6_000, ("NLGRQ", "NLVDM")),
    ("Twentekanaal (Eefde - Hengelo)", "M8", 12_000, ("NLEFE", "NLGOO", "X-wiene", "NLHGL")),
    ("Twentekanaal (Hengelo - Enschede)", "M6", 6_000, ("NLHGL", "NLENS")),
    ("Zijkanaal naar Almelo", "M6", 6_000, ("X-wiene", "NLALM")),
    ("Bergse Maas - Maas", "M9", 25_000,
     ("NLGTB", "NLHTB", "NLOSS", "NLHUM", "NLWAS", "NLVEN", "NLOMD", "NLMSB")),
    ("Maas-Waalkanaal", "M9", 20_000, ("NLHUM", "NLNIJ")),
    ("Julianakanaal", "M9", 25_000, ("NLMSB", "NLBON", "NLSTI", "NLMST")),
    ("Zuid-Willemsvaart", "M6", 10_000, ("NLHTB", "NLVEG", "NLHLM", "NLNRW")),
    ("Zuid-Willemsvaart (Weert)", "M2", 4_000, ("NLNRW", "NLWRT")),
    ("Kanaal Wessem-Nederweert", "M6", 8_000, ("NLNRW", "NLMSB")),
    ("Wilhelminakanaal (Amer - Tilburg)", "M6", 10_000, ("NLGTB", "NLOOS", "NLTLB")),
    ("Wilhelminakanaal (Tilburg - Helmond)", "M4", 4_000, ("NLTLB", "NLBST", "NLHLM")),
    ("Beatrixkanaal", "M6", 6_000, ("NLBST", "NLEIN")),
    ("Gouwe - Hollandse IJssel", "M6", 8_000, ("NLAPN", "NLRTM")),
    ("Noordhollandsch Kanaal", "M6", 4_000, ("NLAMS", "NLDHR")),
)

# name, freight train paths a day (both directions), chain of node ids
RAIL_LINES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("Havenspoorlijn", 160, ("NLMSV", "NLBOT", "NLRTM", "NLZWI")),
    ("Betuweroute", 160, ("NLZWI", "X-valburg", "NLZEV")),
    ("Brabantroute", 40, ("NLZWI", "NLDOR", "NLLZA", "NLBRD", "NLTLB", "NLEIN", "NLVEN")),
    ("Moerdijk branch", 24, ("NLLZA", "NLMOE")),
    ("Roosendaal - Vlissingen", 24, ("NLLZA", "NLROO", "NLBZM", "NLVLI")),
    ("Rotterdam - Utrecht (Gouda)", 24, ("NLRTM", "NLUTC")),
    ("Amsterdam - Utrecht - Arnhem - Zevenaar", 40, ("NLAMS", "NLUTC", "NLARN", "NLZEV")),
    ("Utrecht - 's-Hertogenbosch - Tilburg", 40, ("NLUTC", "NLHTB", "NLTLB")),
    ("'s-Hertogenbosch - Oss - Nijmegen - Arnhem", 24, ("NLHTB", "NLOSS", "NLNIJ", "NLARN")),
    ("Maaslijn Nijmegen - Venlo", 12, ("NLNIJ", "NLVEN")),
    ("Venlo - Roermond - Sittard - Maastricht", 40, ("NLVEN", "NLOMD", "NLSTI", "NLMST")),
    ("Eindhoven - Weert - Roermond", 40, ("NLEIN", "NLWRT", "NLOMD")),
    ("Utrecht - Amersfoort", 40, ("NLUTC", "NLAME")),
    ("Amersfoort - Deventer - Oldenzaal (Bad Bentheim)", 40,
     ("NLAME", "NLAPE", "NLDEV", "NLALM", "NLHGL", "NLOLZ")),
    ("Amersfoort - Zwolle", 40, ("NLAME", "NLZWO")),
    ("Deventer - Zwolle", 24, ("NLDEV", "NLZWO")),
    ("Hanzelijn", 24, ("NLAMS", "NLLEY", "NLZWO")),
    ("Zwolle - Meppel - Groningen", 40, ("NLZWO", "NLMEP", "NLGRQ")),
    ("Meppel - Leeuwarden", 12, ("NLMEP", "NLLWR")),
    ("Groningen - Delfzijl", 12, ("NLGRQ", "NLDZL")),
    ("Groningen - Eemshaven", 12, ("NLGRQ", "NLEEM")),
    ("Groningen - Veendam", 12, ("NLGRQ", "NLVDM")),
    ("Zwolle - Marienberg - Coevorden", 12, ("NLZWO", "X-marienberg", "NLCOE")),
    ("Almelo - Marienberg", 12, ("NLALM", "X-marienberg")),
)

#: RWS ship class -> average load (t), ``Load Weight average [ton]`` of rws_cemt_shiptypes_dtv.csv
#: (classes without a figure there are left out).
SHIP_LOAD_T: dict[str, float] = {
    "M0": 118.0, "M1": 312.0, "M2": 490.0, "M3": 677.0, "M4": 808.0, "M5": 995.0, "M6": 1272.0,
    "M7": 1722.0, "M8": 2286.0, "M9": 3315.0, "M10": 3342.0, "M11": 4408.0, "M12": 5015.0,
    "C1b": 629.0, "C1L": 647.0, "C2L": 1535.0, "C3L": 4451.0, "C2b": 1921.0, "C3b": 4636.0, "C4": 6923.0,
    "BO1": 85.0, "BO2": 357.0, "BO3": 544.0, "BO4": 804.0, "BI": 1256.0, "BII-1": 1893.0,
    "BII-2L": 4671.0, "BII-2b": 4761.0, "BII-4": 9508.0, "BII-6b": 14019.0, "BII-6L": 14243.0,
}
