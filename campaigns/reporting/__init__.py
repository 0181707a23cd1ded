"""The reporting part of campaigns: the rollup counters (`rollups`), report periods
(`periods`), the reads of dashboards, rankings and reports (`aggregates`), report files
(`report_files`), background exports and scheduled reports (`exports`) and open data
(`open_data`). Its models are in `campaigns.models.reporting`."""
