"""Marshmallow schemas for every request and response, one module per resource; the OpenAPI document
(/api/v1/openapi.json, /api/v1/docs) is generated from them. Every schema can be imported from here."""

from __future__ import annotations

from .errors import ErrorBody, ErrorSchema
from .limits import (MAX_CANDIDATES, MAX_IMPORT, MAX_IMPORT_BYTES, MAX_K, MAX_QUERY, MAX_SUMMARIZE_BYTES,
                     MAX_SUMMARY_SENTENCES)
from .shared import (StrictSchema, AuthorList, RANKS, FUSION_DEPTH, Rank, RankUsed, SUMMARY_MODES, SORTS, Sort, Since,
                     KArgs, Tag, TagList, Note)
from .papers import (PaperInSchema, PaperSchema, PapersInSchema, StoredSchema, PostPapersResponse, MatchedTermSchema,
                     SAVED, MEANING, ResultSchema, SearchArgs, SearchResponse, PaperByUrlArgs)
from .summaries import SummarySchema, PaperSummarySchema, SummaryArgs, SummarizeRequest
from .related import RelatedArgs, RelatedRequest, QuerySchema, RelatedResponse
from .drafts import (BibliographyField, MissingRequest, MissingResultSchema, CitedSchema, MissingQuerySchema,
                     MissingResponse)
from .connect import ConnectRequest, ConnectResponse
from .health import SemanticHealthSchema, HealthSchema
from .library import (LibraryListArgs, LibraryPaperSchema, LibraryItemSchema, TagCountSchema, LibraryTagsResponse,
                      LibraryListResponse, LibrarySaveRequest, LibraryEditRequest, ExportArgs, PaperIds,
                      ExportSelectionRequest, LibraryBulkRequest, BulkSkipSchema, LibraryBulkResponse, RecommendArgs,
                      RecommendResponse, DismissResponse)
from .library_import import (ImportArgs, ImportPaperSchema, ImportItemSchema, LibraryImportRequest, ImportSkipSchema,
                             LibraryImportResponse, ZoteroImportRequest, ZoteroSkipCountSchema, ZoteroImportResponse)
from .for_you import (SCORE_0_100, LIST_MEANING, CandidateSchema, RankRequest, BecauseSchema, RankResultSchema,
                      RankResponse, DigestArgs, DigestResultSchema, DigestResponse, FeedUrlResponse, FeedStatusResponse)
from .feeds import FEED_KINDS, DAY, FeedOptionsSchema, FeedInSchema, FeedRunSchema, FeedSchema, FeedsResponse
