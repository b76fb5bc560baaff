from .scales import SCALES, Scale, get_scale, numeric
from .summary import LikertSummary, likert_summary, likert_summary_from_counts
