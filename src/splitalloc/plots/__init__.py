"""Plotly figures and styled tables for the book, one module per family of pages
(presentation only: no science here).

Every function takes a tidy :class:`pandas.DataFrame` produced by the package (for the §V
figures, the frames of :mod:`splitalloc.experiments`) and returns a
:class:`plotly.graph_objects.Figure` with a title, axis titles with units and a legend, or a
pandas ``Styler``.

==================  =========================================================================
``common``          colours, order and names of the frameworks, verdict colours, CI bands,
                    figure layout, summary tables, the paper's numbers as drawn on our figures
``pages``           what opens a page: the run banner (scale and seeds), the front page's
                    verdict summary
``results``         the §V pages: Figs. 5–10 and Table 4
``comparison``      the paper-vs-ours page (claims, numbers) and the parameters page
``robustness``      the robustness page (verdict grid, learned capacities)
``network``         the system-model page (network map, split profiles)
``method``          the method page (gradient check, LP layer benchmarks and scaling)
``calibration``     the calibration page (targets vs fit, the set's spread, Morris, held-out table)
==================  =========================================================================

Every public name is re-exported here: ``from splitalloc import plots;
plots.fig5_splitting_figure(df)``.
"""

from __future__ import annotations

from .common import (FALLBACK_COLORS, FRAMEWORK_COLORS, FRAMEWORK_ORDER, PAPER_MARKER,
                     PERCENT_OF_PROPOSED, REFERENCE_FRAMEWORK, VERDICT_COLOURS,
                     format_estimate, framework_color, framework_label, paper_values, percent_of_reference,
                     summary_styled, title_layout, verdict_legend, verdict_legend_styled)
from .results import (fig5_splitting_figure, fig6_admitted_figure, fig7_prediction_figure, fig8_resource_figure,
                      fig9_deviation_figure, fig10_kaggle_figure, table4_figure, table4_styled)
from .comparison import (claim_verdicts, claims_display, claims_styled, comparison_styled, parameters_styled,
                         plot_paper_vs_ours, plot_parameter_sources)
from .robustness import capacity_error_figure, robustness_heatmap, robustness_styled
from .network import plot_network, plot_profiles, spring_layout
from .method import (lp_layer_table_styled, plot_gradient_check, plot_lp_layer_benchmark, plot_scaling,
                     plot_scaling_K)
from .pages import PageNote, read_claims, run_banner, verdict_summary
from .calibration import (best_fit_styled, calibration_note, calibration_ranges, calibration_ranges_styled, calibration_summary,
                          environment_verdicts, environment_verdicts_styled, environments_figure, heldout_styled,
                          implausibility_figure, morris_figure, set_members, set_spread_figure, target_fit,
                          target_fit_styled)

__all__ = [
    "FALLBACK_COLORS", "FRAMEWORK_COLORS", "FRAMEWORK_ORDER", "PAPER_MARKER",
    "PERCENT_OF_PROPOSED", "REFERENCE_FRAMEWORK", "VERDICT_COLOURS", "format_estimate", "framework_color",
    "framework_label", "paper_values", "percent_of_reference", "summary_styled", "title_layout",
    "verdict_legend", "verdict_legend_styled",
    "fig5_splitting_figure", "fig6_admitted_figure", "fig7_prediction_figure", "fig8_resource_figure",
    "fig9_deviation_figure", "fig10_kaggle_figure", "table4_figure", "table4_styled",
    "claim_verdicts", "claims_display", "claims_styled", "comparison_styled", "parameters_styled", "plot_paper_vs_ours",
    "plot_parameter_sources",
    "capacity_error_figure", "robustness_heatmap", "robustness_styled",
    "plot_network", "plot_profiles", "spring_layout",
    "lp_layer_table_styled", "plot_gradient_check", "plot_lp_layer_benchmark", "plot_scaling", "plot_scaling_K",
    "PageNote", "read_claims", "run_banner", "verdict_summary",
    "best_fit_styled", "calibration_note", "calibration_ranges", "calibration_ranges_styled", "calibration_summary", "heldout_styled",
    "implausibility_figure", "morris_figure", "set_members", "set_spread_figure", "target_fit", "target_fit_styled",
    "environment_verdicts", "environment_verdicts_styled", "environments_figure",
]
