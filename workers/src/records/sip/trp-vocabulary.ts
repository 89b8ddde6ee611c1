/** Event types of nsesss-TrP.xsd (tTypUdalosti), the values TypUdalostiId may take. */
export const AUDIT_EVENT_TYPES_TRP = [
  'Zalozeni', 'Uprava', 'Zruseni', 'Zobrazeni', 'Export', 'Prenos', 'Storno', 'Zniceni', 'VlozeniDoSpisu', 'VyjmutiZeSpisu',
  'PripojeniCJ', 'NovaVerze', 'VlozeniKDokumentu', 'VyjmutiZDokumentu', 'VlozeniKVypraveni', 'VyjmutiZVypraveni',
  'PripojeniPodpisu', 'PripojeniRazitka', 'FinalniVerze', 'PredaniVypravne', 'Vypraveno', 'Doruceno', 'Vyrizeni',
  'Schvaleni', 'Uzavreni', 'Otevreni', 'PostoupeniAgende', 'VraceniZAgendy', 'ZmenaZpracovatele',
  'PripojeniKlicovehoSlova', 'OdebraniKlicovehoSlova', 'PredaniNaSpisovnu', 'PrevzetiNaSpisovnu', 'VraceniZeSpisovny',
  'PozastaveniSkartacniOperace', 'ZruseniPozastaveniSkartacniOperace', 'VlozeniDoUkladaciJednotky',
  'VyjmutiZUkladaciJednotky', 'VlozeniDoSkartacnihoNavrhu', 'VyjmutiZeSkartacnihoNavrhu', 'VlozeniDoSpisoveRozluky',
  'VyjmutiZeSpisoveRozluky', 'KonverzeZMociUredni', 'KonverzeFormatu',
] as const;
