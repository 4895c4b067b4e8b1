"""Relocation plans (spec section 8): read a plan, apply it, evaluate it against the baseline.

    import revopt
    from revopt.plans import load_plan, evaluate
    inst = revopt.load_instance("instances/demo")
    plan = load_plan("instances/demo/plans/havenkade-wonen.toml", inst)
    ev = evaluate(inst, plan)
    print(ev.works, ev.tables["headline"])
"""

from .elastic import ElasticResult, elastic_solve
from .evaluate import evaluate, exit_status, write_evaluation
from .evaluation import PlanEvaluation
from .plan import Plan, PlanError, apply_plan, check_plan, load_plan, plan_from_dict, read_plan
from .reasons import firm_reasons

__all__ = ["Plan", "PlanError", "PlanEvaluation", "ElasticResult", "read_plan", "load_plan", "check_plan",
           "apply_plan", "plan_from_dict", "evaluate", "write_evaluation", "exit_status", "elastic_solve",
           "firm_reasons"]
